/* kglijn's additions to Django's admin (/beheer/) for WCAG 2.1 AA (issue 16). */
(function () {
  "use strict";

  // Tabular inlines and editable change lists put a field in a table cell without a <label>:
  // name it after its column header (and the row's first cell, which says which row it is).
  function labelTableFields(root) {
    root.querySelectorAll("table").forEach(function (table) {
      var headers = table.querySelectorAll("thead th");
      if (!headers.length) return;
      table.querySelectorAll("tbody tr").forEach(function (row) {
        var cells = Array.prototype.slice.call(row.children);
        var offset = 0;
        cells.forEach(function (cell) {
          var column = headers[offset] ? headers[offset].textContent.trim() : "";
          offset += cell.colSpan || 1;
          cell.querySelectorAll("input:not([type=hidden]), select, textarea").forEach(function (field) {
            if (field.labels && field.labels.length) return;
            if (field.hasAttribute("aria-label") || field.hasAttribute("aria-labelledby")) return;
            if (column) field.setAttribute("aria-label", column);
          });
        });
      });
    });
  }

  // The two-box selector (filter_horizontal) puts aria-label on a plain <span> icon.
  function iconRoles(root) {
    root.querySelectorAll("span.help-tooltip[aria-label]:not([role])").forEach(function (icon) {
      icon.setAttribute("role", "img");
    });
  }

  function fix() {
    labelTableFields(document);
    iconRoles(document);
  }

  document.addEventListener("DOMContentLoaded", fix);
  window.addEventListener("load", fix);  // after the admin's own widgets (SelectFilter2) are built
  document.addEventListener("formset:added", fix);
})();
