/* kglijn — the feedback card's print button (no inline scripts: a strict CSP holds). */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-print]");
    if (button) window.print();
  });
})();
