/* kglijn — small progressive enhancements; every page works without this file. */
(function () {
  "use strict";

  function syncPersonalData(form) {
    var anonymous = form.querySelector('input[name="anonymous"]');
    var fieldset = form.querySelector("[data-personal-data]");
    if (!anonymous || !fieldset) return;
    fieldset.disabled = anonymous.checked;
  }

  function syncReasonGroups(form) {
    var checked = form.querySelector('input[name="topic"]:checked');
    var topic = checked ? checked.value : "";
    form.querySelectorAll(".reason-group[data-topic]").forEach(function (group) {
      var other = topic && group.dataset.topic && group.dataset.topic !== topic;
      if (other) group.setAttribute("data-dimmed", "");
      else group.removeAttribute("data-dimmed");
    });
  }

  function enhance(root) {
    root.querySelectorAll("form[data-wrapup]").forEach(function (form) {
      if (form.dataset.enhanced) return;
      form.dataset.enhanced = "1";
      syncPersonalData(form);
      syncReasonGroups(form);
      form.addEventListener("change", function (event) {
        if (event.target.name === "anonymous") syncPersonalData(form);
        if (event.target.name === "topic") syncReasonGroups(form);
      });
      // Ctrl+Enter (or Cmd+Enter) saves the wrap-up from anywhere in the form.
      form.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
          event.preventDefault();
          form.requestSubmit();
        }
      });
    });
    var errors = root.querySelector("#form-errors");
    if (errors) errors.focus();
  }

  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
})();
