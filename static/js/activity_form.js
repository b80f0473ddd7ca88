// The 三会一课 form: a 党小组会 names its group and its roll is that group's members; the other kinds
// hide the group field and show the whole branch. The service field leads on a 主题党日.
(function () {
  "use strict";
  var form = document.querySelector("[data-activity-form]");
  if (!form) return;
  var kind = form.querySelector("select[name=kind]");
  var group = form.querySelector("select[name=party_group]");
  var groupField = form.querySelector("[data-group-field]");
  var note = form.querySelector("[data-roll-note]");
  function update() {
    var isGroup = kind.value === "group";
    if (groupField) groupField.hidden = !isGroup;
    if (note) note.hidden = !isGroup;
    form.querySelectorAll("tr[data-member-group]").forEach(function (row) {
      row.hidden = isGroup && group && group.value !== "" && row.getAttribute("data-member-group") !== group.value;
    });
  }
  kind.addEventListener("change", update);
  if (group) group.addEventListener("change", update);
  update();
})();
