/* The officer's "今日测评参与情况" page (dashboard:tonight): every 15 seconds the participation numbers
   are read again from dashboard:tonight_json and written into the rows the server rendered, which are put
   in the order the server sends (open first, lowest turnout first). When an evaluation appears or leaves
   the list the page is loaded again, so that every row stays built by the template. Only numbers, states
   and flags travel: no HTML is made here. Without this script the page's "刷新" link does the same. */
(function () {
  "use strict";
  var board = document.getElementById("tonight");
  if (!board || !window.fetch) return;
  var url = board.getAttribute("data-json-url");
  var EVERY = 15000;
  var body = board.querySelector("tbody");

  function text(scope, selector, value) {
    var el = scope.querySelector(selector);
    if (el) el.textContent = value === null || value === undefined ? "—" : String(value);
  }

  function shown(el, on) {
    if (el) el.classList.toggle("d-none", !on);
  }

  function pct(value) {
    return value === null ? "—" : value + "%";
  }

  function fill(tr, r) {
    Array.prototype.forEach.call(tr.querySelectorAll("[data-status]"), function (badge) {
      shown(badge, badge.getAttribute("data-status") === r.status);
    });
    shown(tr.querySelector('[data-field="in_room"]'), r.in_room);
    shown(tr.querySelector('[data-field="warning"]'), r.warning);
    text(tr, '[data-field="attended"]', r.attended);
    text(tr, '[data-field="voters"]', r.voters);
    text(tr, '[data-field="voted"]', r.voted);
    text(tr, '[data-field="percent"]', pct(r.percent));
    var bar = tr.querySelector('[data-field="progress"]');
    if (bar) {
      bar.value = r.percent === null ? 0 : parseFloat(r.percent);
      bar.textContent = pct(r.percent);
    }
  }

  function update(data) {
    var rows = {};
    Array.prototype.forEach.call(body.querySelectorAll("tr[data-evaluation]"), function (tr) {
      rows[tr.getAttribute("data-evaluation")] = tr;
    });
    var same = data.rows.length === Object.keys(rows).length && data.rows.every(function (r) { return rows[r.id]; });
    if (!same) {
      window.location.reload();
      return false;
    }
    data.rows.forEach(function (r) {
      fill(rows[r.id], r);
      body.appendChild(rows[r.id]);
    });
    var t = data.totals;
    text(board, '[data-total="voting"]', t.voting);
    text(board, '[data-total="branches"]', t.branches);
    text(board, '[data-total="voters"]', t.voters);
    text(board, '[data-total="voted"]', t.voted);
    text(board, '[data-total="percent"]', pct(t.percent));
    text(board, '[data-total="warnings"]', t.warnings);
    text(board, '[data-total="updated"]', data.updated);
    return true;
  }

  function poll() {
    if (document.hidden) {  // a phone in a pocket asks nothing; the numbers come back with the screen
      setTimeout(poll, EVERY);
      return;
    }
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (data) { if (update(data)) setTimeout(poll, EVERY); })
      .catch(function () { setTimeout(poll, EVERY); });
  }
  setTimeout(poll, EVERY);
})();
