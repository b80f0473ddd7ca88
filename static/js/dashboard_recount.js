// 重新统计 in the background (dashboard.recount): the progress bar follows the job, and the page reloads
// itself, without ?refresh=1, once the new figures are there.
(function () {
  "use strict";
  var box = document.getElementById("dashboard-recount");
  if (!box || box.dataset.finished) return;
  var bar = document.getElementById("recount-bar");
  var count = document.getElementById("recount-count");
  var delay = 2000;
  bar.style.width = bar.dataset.percent + "%";

  function poll() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        bar.style.width = s.percent + "%";
        bar.parentElement.setAttribute("aria-valuenow", s.percent);
        count.textContent = s.done + " / " + s.total;
        if (s.finished) {
          var url = new URL(window.location.href);
          url.searchParams.delete("refresh");
          window.location.replace(url.toString());
          return;
        }
        delay = Math.min(delay * 1.3, 10000);
        setTimeout(poll, delay);
      })
      .catch(function () { setTimeout(poll, 10000); });
  }
  setTimeout(poll, delay);
})();
