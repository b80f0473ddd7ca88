/* 优秀比例上限 as people state it ("30%", "1/3", "三分之一"): the number of 优秀 it allows, shown under
 * the field as one types.
 *
 * The rule is the server's (evaluations/policy.py: Quota.parse and Quota.count); this is its copy for the
 * browser, in exact integers (BigInt), and tests/evaluations/test_quota_fraction.py runs both over one
 * table of inputs. The server still decides: this only saves a round trip.
 *
 * An input with data-quota-ratio carries data-quota-help (the accepted forms), data-quota-none,
 * data-quota-invalid and, when the number of people is known, data-quota-candidates and
 * data-quota-sentence (with {count}); its help text is the element named by aria-describedby
 * (meetings.forms.QuotaField sets them all).
 */
(function () {
  "use strict";

  var MAX_DENOMINATOR = 1000000n;
  var MAX_LENGTH = 40;
  var CN_DIGITS = { "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9 };
  var CN_UNITS = { "十": 10, "百": 100, "千": 1000 };
  var INVALID = "invalid";

  function abs(a) { return a < 0n ? -a : a; }
  function gcd(a, b) { a = abs(a); b = abs(b); while (b) { var t = a % b; a = b; b = t; } return a; }

  // An exact ratio {num, den}, reduced, den > 0.
  function ratio(num, den) {
    if (den < 0n) { num = -num; den = -den; }
    var g = gcd(num, den) || 1n;
    return { num: num / g, den: den / g };
  }

  function pow10(k) { var p = 1n; while (k-- > 0) { p *= 10n; } return p; }

  // "33.33" → 3333/100; null when it is not a decimal number.
  function decimal(text, allowSign) {
    var m = /^(-?)([0-9]{1,7})(?:\.([0-9]{1,8}))?$/.exec(text);
    if (!m || (m[1] && !allowSign)) { return null; }
    var decimals = m[3] || "";
    var value = BigInt(m[2] + decimals);
    return ratio(m[1] ? -value : value, pow10(decimals.length));
  }

  // 一 … 九十九万 (or Arabic digits) as a BigInt; null if it is not one. Mirrors policy._cn_integer.
  function cnInteger(text) {
    if (/^[0-9]+$/.test(text)) { return BigInt(text); }
    var total = 0, section = 0, digit = null, lastUnit = 100000;
    for (var i = 0; i < text.length; i++) {
      var ch = text.charAt(i);
      if (Object.prototype.hasOwnProperty.call(CN_DIGITS, ch)) {
        if (digit) { return null; }
        digit = CN_DIGITS[ch];
      } else if (Object.prototype.hasOwnProperty.call(CN_UNITS, ch)) {
        var unit = CN_UNITS[ch];
        if (unit >= lastUnit || digit === 0) { return null; }
        section += (digit === null ? 1 : digit) * unit;
        digit = null;
        lastUnit = unit;
      } else if (ch === "万" && !total && (section || digit)) {
        total = (section + (digit || 0)) * 10000;
        section = 0;
        digit = null;
        lastUnit = 100000;
      } else {
        return null;
      }
    }
    if (digit === null && !section && !total) { return null; }
    return BigInt(total + section + (digit || 0));
  }

  // A count in words or digits, with an optional decimal part. Mirrors policy._cn_number.
  function cnNumber(text) {
    if (/^-?[0-9]{1,7}(?:\.[0-9]{1,8})?$/.test(text)) { return decimal(text, false); }
    var at = text.indexOf("点");
    var whole = at < 0 ? text : text.slice(0, at);
    var decimals = at < 0 ? "" : text.slice(at + 1);
    var value = cnInteger(whole);
    if (value === null || (at >= 0 && !decimals)) { return null; }
    if (at < 0) { return ratio(value, 1n); }
    if (decimals.length > 8) { return null; }
    var digits = "";
    for (var i = 0; i < decimals.length; i++) {
      var ch = decimals.charAt(i);
      if (!Object.prototype.hasOwnProperty.call(CN_DIGITS, ch)) { return null; }
      digits += String(CN_DIGITS[ch]);
    }
    var scale = pow10(decimals.length);
    return ratio(value * scale + BigInt(digits), scale);
  }

  // One way of stating the ratio. Mirrors policy._ratio; throws INVALID.
  function ratioOf(text) {
    var m = /^(-?[0-9]{1,7})\s*\/\s*([0-9]{1,7})$/.exec(text);
    if (m) {
      if (BigInt(m[2]) === 0n) { throw INVALID; }
      return ratio(BigInt(m[1]), BigInt(m[2]));
    }
    m = /^(-?[0-9]{1,7}(?:\.[0-9]{1,8})?)\s*%?$/.exec(text);
    if (m) {
      var percent = decimal(m[1], true);
      return ratio(percent.num, percent.den * 100n);
    }
    m = /^(.+?)\s*分之\s*(.+)$/.exec(text);
    if (m) {
      var den = cnNumber(m[1]), num = cnNumber(m[2]);
      if (den === null || num === null || den.num === 0n) { throw INVALID; }
      return ratio(num.num * den.den, num.den * den.num);
    }
    throw INVALID;
  }

  // null for no cap, {num, den} for a quota; throws INVALID when the server would refuse the input.
  function parse(text) {
    var s = String(text === null || text === undefined ? "" : text).normalize("NFKC").trim();
    if (!s) { return null; }
    if (s.length > MAX_LENGTH) { throw INVALID; }
    var value;
    var m = /^(.+?)\s*\((.+)\)$/.exec(s);
    if (m) {
      value = ratioOf(m[1].trim());
      var gloss = ratioOf(m[2].trim());
      if (gloss.num !== value.num || gloss.den !== value.den) { throw INVALID; }
    } else {
      value = ratioOf(s);
    }
    if (value.num < 0n || value.num > value.den || value.den > MAX_DENOMINATOR) { throw INVALID; }
    return value;
  }

  // floor(ratio × candidates).
  function count(quota, candidates) {
    return quota.num * BigInt(candidates) / quota.den;
  }

  function helpFor(input) {
    var ids = (input.getAttribute("aria-describedby") || "").split(/\s+/);
    for (var i = 0; i < ids.length; i++) {
      var el = ids[i] && document.getElementById(ids[i]);
      if (el) { return el; }
    }
    return document.getElementById(input.id + "_helptext");
  }

  function update(input) {
    var data = input.dataset;
    var help = helpFor(input);
    if (!help || data.quotaCandidates === undefined) { return; }
    var result;
    try {
      var quota = parse(input.value);
      result = quota === null ? data.quotaNone : data.quotaSentence.replace("{count}", String(count(quota, data.quotaCandidates)));
    } catch (e) {
      if (e !== INVALID) { throw e; }
      result = data.quotaInvalid;
    }
    help.textContent = ((data.quotaHelp || "") + " " + (result || "")).trim();
  }

  if (typeof module !== "undefined" && module.exports) {
    module.exports = { parse: parse, count: count };
  }
  if (typeof document !== "undefined") {
    var inputs = document.querySelectorAll("input[data-quota-ratio]");
    for (var i = 0; i < inputs.length; i++) {
      inputs[i].addEventListener("input", function (event) { update(event.target); });
    }
  }
})();
