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

  // The main menu's groups (<details> in .nav-group): one open at a time; Escape closes the open
  // one and puts the focus back on its summary; a click elsewhere closes it.
  function openGroups() {
    return document.querySelectorAll(".nav-group details[open]");
  }
  document.addEventListener("toggle", function (event) {
    var details = event.target;
    if (!details.matches || !details.matches(".nav-group details") || !details.open) return;
    openGroups().forEach(function (other) { if (other !== details) other.open = false; });
  }, true);
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    openGroups().forEach(function (details) {
      var hadFocus = details.contains(document.activeElement);
      details.open = false;
      if (hadFocus) details.querySelector("summary").focus();
    });
  });
  document.addEventListener("click", function (event) {
    openGroups().forEach(function (details) {
      if (!details.contains(event.target)) details.open = false;
    });
  });

  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
})();
