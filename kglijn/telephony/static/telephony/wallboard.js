/* kglijn — the wallboard's TV mode: a button that puts the page in full screen (Fullscreen API).
   Browsers only allow it after a click, so the TV mode page offers the button. */
(function () {
  "use strict";

  function setUp() {
    var button = document.querySelector("[data-fullscreen]");
    if (!button || !document.fullscreenEnabled) return;
    function sync() {
      var on = Boolean(document.fullscreenElement);
      button.textContent = on ? button.dataset.labelLeave : button.dataset.labelEnter;
      button.setAttribute("aria-pressed", on ? "true" : "false");
    }
    button.addEventListener("click", function () {
      if (document.fullscreenElement) {
        document.exitFullscreen();
      } else {
        document.documentElement.requestFullscreen().catch(function () { /* refused: stay */ });
      }
    });
    document.addEventListener("fullscreenchange", sync);
    button.hidden = false;
    sync();
  }

  document.addEventListener("DOMContentLoaded", setUp);
})();
