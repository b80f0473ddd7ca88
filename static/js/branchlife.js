// Behaviour every page may use, asked for with data- attributes instead of inline handlers (the
// Content-Security-Policy allows no inline script; tests/test_csp.py keeps templates/ free of them):
//   <form data-confirm="确定吗？">          asks before submitting; Cancel keeps the page as it is
//   <select data-autosubmit>                submits its form when the choice changes (the language switch)
//   <button type="button" data-print>       prints the page
//   <button type="button" data-check-all="attendees">  ticks every checkbox named "attendees"
//   <button type="button" data-history-back>  goes back to the previous page (the 403 and 404 pages)
// Listeners sit on the document, so forms added later (autosave, the meeting record) work too.
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    if (event.defaultPrevented) return;
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });

  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.form && field.hasAttribute("data-autosubmit")) field.form.submit();
  });

  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target.closest("[data-print], [data-check-all], [data-history-back]") : null;
    if (!target) return;
    if (target.hasAttribute("data-print")) {
      window.print();
      return;
    }
    if (target.hasAttribute("data-history-back")) {
      window.history.back();
      return;
    }
    var name = target.getAttribute("data-check-all");
    var scope = target.form || document;
    Array.prototype.forEach.call(scope.querySelectorAll("input[type=checkbox]"), function (box) {
      if (box.name === name && !box.disabled) box.checked = true;
    });
  });

  // The meeting's tabs scroll sideways on a phone: bring the current one into view.
  var activeTab = document.querySelector(".bl-tabs .active");
  if (activeTab && activeTab.scrollIntoView) activeTab.scrollIntoView({ block: "nearest", inline: "center" });
})();
