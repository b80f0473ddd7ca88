// The ballot page: a live "已选优秀 n / q" counter and "其余设为合格" (the last confirmation is branchlife.js's data-confirm).
// The server decides (quota, completeness); this only helps the voter see it before submitting.
(function () {
  "use strict";
  var form = document.getElementById("ballot-form");
  if (!form) return;
  var quota = form.dataset.quota === "" ? null : parseInt(form.dataset.quota, 10);
  var blockOver = form.dataset.blockOver === "1";
  var bar = document.getElementById("vote-bar");
  var count = document.getElementById("excellent-count");
  var missing = document.getElementById("missing-text");
  var overText = document.getElementById("over-text");
  var submit = document.getElementById("vote-submit");
  var fill = document.getElementById("fill-qualified");
  var rows = Array.prototype.slice.call(form.querySelectorAll("[data-ballot-row]")).filter(function (row) {
    return row.querySelector("input[type=radio]");
  });

  function unselected() {
    return rows.filter(function (row) { return !row.querySelector("input[type=radio]:checked"); });
  }

  function update() {
    var n = form.querySelectorAll("input[type=radio][value=excellent]:checked").length;
    var over = quota !== null && n > quota;
    count.textContent = n;
    bar.classList.toggle("over", over);
    if (overText) overText.textContent = over ? form.dataset.overText : "";
    if (submit && blockOver) submit.disabled = over;
    if (missing) {
      var left = unselected().length;
      missing.textContent = left ? missing.dataset.template.replace("N", left) : "";
    }
  }

  if (fill) {
    fill.addEventListener("click", function () {
      unselected().forEach(function (row) {
        var q = row.querySelector("input[type=radio][value=qualified]");
        if (q) q.checked = true;
      });
      update();
    });
  }
  form.addEventListener("change", update);
  // The last confirmation is the form's data-confirm, asked by static/js/branchlife.js.
  update();
})();
