/* kglijn — the reply composer: buttons with data-reply-insert put their text at the cursor of
   the answer (answer templates, and the knowledge base's snippets). Works after htmx swaps. */
(function () {
  "use strict";
  if (window.kglijnReplyComposer) return;
  window.kglijnReplyComposer = true;

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-reply-insert]");
    if (!button) return;
    var composer = button.closest("[data-reply-composer]") || document;
    var area = composer.querySelector("textarea[data-reply-body]");
    if (!area) return;
    event.preventDefault();
    var text = button.getAttribute("data-reply-insert");
    var start = typeof area.selectionStart === "number" ? area.selectionStart : area.value.length;
    var end = typeof area.selectionEnd === "number" ? area.selectionEnd : start;
    area.setRangeText(text, start, end, "end");
    area.focus();
    area.dispatchEvent(new Event("input", { bubbles: true }));
  });
})();
