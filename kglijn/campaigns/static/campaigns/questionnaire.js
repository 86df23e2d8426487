/* The respondent's questionnaire (campaigns/public/_question.html): shows a conditional
   question only while the answer it depends on matches, and draws the progress bar's width
   (no inline styles or scripts). The server decides on saving; without this script every
   question is shown. */
(function () {
  "use strict";
  function update(form) {
    form.querySelectorAll("[data-show-if-name]").forEach(function (question) {
      var name = question.getAttribute("data-show-if-name");
      var wanted = (question.getAttribute("data-show-if-values") || "").split(" ");
      var checked = form.querySelector('input[name="' + CSS.escape(name) + '"]:checked');
      var select = form.querySelector('select[name="' + CSS.escape(name) + '"]');
      var value = checked ? checked.value : select ? select.value : null;
      if (value === null && !form.querySelector('[name="' + CSS.escape(name) + '"]')) {
        return; /* the condition is on another page: the server already decided */
      }
      question.hidden = wanted.indexOf(value || "") === -1;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-progress]").forEach(function (bar) {
      bar.style.width = bar.getAttribute("data-progress") + "%";
    });
    document.querySelectorAll("form").forEach(function (form) {
      if (!form.querySelector("[data-show-if-name]")) { return; }
      update(form);
      form.addEventListener("change", function () { update(form); });
    });
  });
})();
