// Print buttons (data-print) on the certificate and the session QR page: no inline handlers.
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
