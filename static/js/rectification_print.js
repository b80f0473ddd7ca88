// Polls a print job's status and updates the progress bar until the PDF can be downloaded.
(function () {
  "use strict";
  var box = document.getElementById("print-job");
  if (!box) return;
  var url = box.dataset.statusUrl;
  var bar = document.getElementById("job-bar");
  var delay = 1000;
  bar.style.width = bar.dataset.percent + "%";  // the server's figure until the first poll answers

  function show(s) {
    bar.style.width = s.percent + "%";
    bar.textContent = s.percent + "%";
    bar.parentElement.setAttribute("aria-valuenow", s.percent);
    document.getElementById("job-status").textContent = s.status_display;
    document.getElementById("job-count").textContent = s.done + " / " + s.total;
    var err = document.getElementById("job-error");
    err.textContent = s.error || "";
    err.classList.toggle("d-none", !s.error);
    var dl = document.getElementById("job-download");
    if (s.download_url) {
      dl.href = s.download_url;
      dl.classList.remove("d-none");
    }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        show(s);
        if (s.status === "done" || s.status === "failed") return;
        delay = Math.min(delay * 1.3, 5000);
        setTimeout(poll, delay);
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  poll();
})();
