/* kglijn knowledge base: the search panel's "insert" and its announcements.
 *
 * Contract for composers (mail reply, chat): listen on document for `kglijn:insert-snippet`
 * (bubbles, cancelable; detail = {text, title, articleId}) and call event.preventDefault() when
 * you took the text. Otherwise the panel puts it in the page's [data-kglijn-snippet-target]
 * field, else in the mail reply composer's answer (textarea[data-reply-body] inside
 * [data-reply-composer]), else on the clipboard. Loaded once per page whatever the number of
 * panels.
 */
(function () {
  "use strict";
  if (window.kglijnKnowledge) return;
  window.kglijnKnowledge = true;

  var T = {
    nl: { inserted: "Tekst ingevoegd.", copied: "Tekst gekopieerd naar het klembord.", failed: "Kopiëren lukte niet: selecteer de tekst en kopieer hem zelf." },
    en: { inserted: "Text inserted.", copied: "Text copied to the clipboard.", failed: "Copying failed: select the text and copy it yourself." }
  };
  function t(key) {
    var lang = (document.documentElement.lang || "nl").slice(0, 2);
    return (T[lang] || T.nl)[key];
  }

  // Emptied first, filled a moment later, so the same message is announced again; a newer
  // message replaces one still pending.
  var pending = null;
  function announce(panel, message) {
    var status = panel && panel.querySelector("[data-kb-status]");
    if (!status) return;
    if (pending) window.clearTimeout(pending);
    status.textContent = "";
    pending = window.setTimeout(function () { pending = null; status.textContent = message; }, 50);
  }

  function insertInto(field, text) {
    var start = field.selectionStart, end = field.selectionEnd;
    if (typeof start === "number" && typeof end === "number") {
      field.value = field.value.slice(0, start) + text + field.value.slice(end);
      field.selectionStart = field.selectionEnd = start + text.length;
    } else {
      field.value += text;
    }
    field.dispatchEvent(new Event("input", { bubbles: true }));
    field.focus();
  }

  function fallback(panel, button, text) {
    // A field marked for snippets, else the answer of the mail reply composer around the panel.
    var composer = button.closest("[data-reply-composer]");
    var target = document.querySelector("[data-kglijn-snippet-target]") ||
      (composer && composer.querySelector("textarea[data-reply-body]"));
    if (target) {
      insertInto(target, text);
      announce(panel, t("inserted"));
      return;
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(
        function () { announce(panel, t("copied")); },
        function () { announce(panel, t("failed")); }
      );
    } else {
      announce(panel, t("failed"));
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-kb-insert]");
    if (!button) return;
    var panel = button.closest("[data-kb-panel]") || document;
    var detail = {
      text: button.getAttribute("data-kb-text") || "",
      title: button.getAttribute("data-kb-title") || "",
      articleId: Number(button.getAttribute("data-kb-id"))
    };
    var insertEvent = new CustomEvent("kglijn:insert-snippet", { bubbles: true, cancelable: true, detail: detail });
    var unclaimed = button.dispatchEvent(insertEvent);
    if (unclaimed) fallback(panel, button, detail.text);
    else announce(panel, t("inserted"));
  });

  // After new results: tell screen-reader users how many; after opening an article: focus it.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    var source = event.detail && event.detail.elt;
    if (!target || !target.closest) return;
    if (source && source.hasAttribute && source.hasAttribute("data-kb-insert")) return;  // counted only
    var panel = target.closest("[data-kb-panel]");
    if (!panel) return;
    var heading = target.querySelector("[data-kb-focus]");
    if (heading) { heading.focus(); return; }
    var count = target.querySelector("[data-kb-count]");
    if (count) announce(panel, count.textContent.trim());
  });
})();
