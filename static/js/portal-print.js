// Print buttons (data-print), e.g. on a weekly summary: no inline handlers (the CSP forbids them).
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
