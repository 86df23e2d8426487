/* kglijn — small progressive enhancements; every page works without this file. */
(function () {
  "use strict";

  function syncPersonalData(form) {
    var anonymous = form.querySelector('input[name="anonymous"]');
    var fieldset = form.querySelector("[data-personal-data]");
    if (!anonymous || !fieldset) return;
    // An anonymous contact holds no personal data, so its fields are disabled; but a field that
    // still holds a value (refused by the server) stays enabled, so that the error summary's link
    // leads to a field the user can clear.
    var filled = Array.prototype.some.call(
      fieldset.querySelectorAll("input, select, textarea"),
      function (field) { return field.value.trim() !== ""; }
    );
    fieldset.disabled = anonymous.checked && !filled;
    fieldset.toggleAttribute("data-anonymous", anonymous.checked);
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

  // A table wider than the screen scrolls in its .table-wrap box; keyboard users must be able to
  // scroll it too: the box gets a tab stop and a name (the table's caption or nearest heading).
  function scrollBoxes() {
    document.querySelectorAll(".table-wrap").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) {
        if (!box.hasAttribute("tabindex")) box.setAttribute("tabindex", "0");
        if (!box.hasAttribute("role")) box.setAttribute("role", "region");
        if (!box.hasAttribute("aria-label") && !box.hasAttribute("aria-labelledby")) {
          box.setAttribute("aria-label", scrollBoxName(box));
        }
      } else if (box.getAttribute("tabindex") === "0" && box.getAttribute("role") === "region") {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
      }
    });
  }

  function scrollBoxName(box) {
    var caption = box.querySelector("caption");
    if (caption && caption.textContent.trim()) return caption.textContent.trim();
    for (var node = box; node && node !== document.body; node = node.parentElement) {
      for (var before = node.previousElementSibling; before; before = before.previousElementSibling) {
        var heading = before.matches("h1, h2, h3, h4") ? before : before.querySelector("h1, h2, h3, h4");
        if (heading && heading.textContent.trim()) return heading.textContent.trim();
      }
    }
    var h1 = document.querySelector("h1");
    return h1 ? h1.textContent.trim() : document.title;
  }

  document.addEventListener("DOMContentLoaded", function () { enhance(document); scrollBoxes(); });
  window.addEventListener("resize", scrollBoxes);
  document.addEventListener("htmx:afterSettle", scrollBoxes);
})();
