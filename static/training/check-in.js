// The page a session's QR code opens: fill in the phone's location (when the session has a place
// on the map), then let the volunteer check in. Messages come from json_script.
(function () {
  "use strict";
  var form = document.querySelector("[data-training-check-in]");
  if (!form) { return; }
  var msgNode = document.getElementById("training-check-in-messages");
  var msg = msgNode ? JSON.parse(msgNode.textContent) : {};
  var status = form.querySelector("[data-location-status]");
  if (!form.hasAttribute("data-needs-location")) { return; }
  if (!navigator.geolocation) { if (status) { status.textContent = msg.noLocation; } return; }
  if (status) { status.textContent = msg.locating; }
  navigator.geolocation.getCurrentPosition(function (p) {
    form.querySelector("input[name=lat]").value = p.coords.latitude;
    form.querySelector("input[name=lng]").value = p.coords.longitude;
    if (status) {
      status.textContent = msg.located.replace("%s", Math.round(p.coords.accuracy));
      status.setAttribute("data-located", "true");
    }
  }, function () {
    if (status) { status.textContent = msg.noLocation; }
  }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 30000 });
})();
