// The check-in page a checkpoint's QR code opens: find the phone's location, then check in. The
// check-in goes into the phone's queue first (patrolQueue), so without a signal it waits there.
(function () {
  "use strict";
  var root = document.querySelector("[data-check-in-page]");
  var form = document.querySelector("[data-check-in-form]");
  if (!root || !form || !window.patrolQueue) { return; }
  var msg = JSON.parse(document.getElementById("check-in-messages").textContent);
  var status = form.querySelector("[data-location-status]");
  var result = document.querySelector("[data-check-in-result]");
  var position = null;
  var pendingId = null;
  var token = root.dataset.qrToken;
  if (!token) {  // the offline page stands for every checkpoint: the code is in the address
    var m = location.pathname.match(/\/check-in\/([^/]+)\/?$/);
    token = m && m[1] !== "offline" ? decodeURIComponent(m[1]) : "";
  }

  // the check-in waits for the location (or its failure) so that a quick tap does not lose it
  var located = new Promise(function (resolve) {
    if (!navigator.geolocation) { status.textContent = msg.noLocation; resolve(); return; }
    navigator.geolocation.getCurrentPosition(function (p) {
      position = p;
      status.textContent = msg.located.replace("%s", Math.round(p.coords.accuracy));
      status.setAttribute("data-located", "true");
      resolve();
    }, function () {
      status.textContent = msg.noLocation;
      resolve();
    }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 30000 });
  });

  function show(text, kind) {
    result.hidden = false;
    result.className = "card pt-result " + (kind || "");
    result.textContent = text;
    var back = root.dataset.patrolUrl || root.dataset.myPatrolUrl;
    if (back) {
      var a = document.createElement("a");
      a.href = back; a.className = "button"; a.textContent = "←";
      a.setAttribute("data-testid", "back-to-patrol");
      result.appendChild(document.createTextNode(" "));
      result.appendChild(a);
    }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var button = form.querySelector("[data-check-in-button]");
    button.disabled = true;
    show(msg.locating);
    located.then(send);
  });

  function send() {
    var button = form.querySelector("[data-check-in-button]");
    var idInput = form.querySelector("input[name=client_id]");
    var data = {
      client_id: idInput && idInput.value ? idInput.value : window.patrolQueue.uuid(),
      checkpoint: token,
      device_time: new Date().toISOString()
    };
    if (position) {
      data.lat = position.coords.latitude;
      data.lng = position.coords.longitude;
      data.accuracy_m = position.coords.accuracy;
    }
    var id = pendingId = window.patrolQueue.add(root.dataset.batchUrl, data);
    show(msg.sending);
    window.patrolQueue.flush().then(function (results) {
      var mine = results.filter(function (r) { return r.client_id === id; })[0];
      if (!mine) { show(msg.queued, "queued"); root.setAttribute("data-checked-in", "queued"); return; }
      if (mine.status === "refused") { show(msg.refused + " " + mine.error, "refused"); button.disabled = false; return; }
      var ci = mine.check_in;
      if (ci.flags.length) { show(msg.flagged + " " + ci.flag_details, "flagged"); }
      else { show(msg.done + " " + ci.checkpoint_name, "done"); }
      root.setAttribute("data-checked-in", ci.flags.length ? "flagged" : "ok");
    }).catch(function () {
      show(msg.queued, "queued");
      root.setAttribute("data-checked-in", "queued");
    });
  }

  document.addEventListener("patrol-queue-sent", function (e) {
    if (root.getAttribute("data-checked-in") === "queued") {
      var mine = e.detail.filter(function (r) { return r.client_id === pendingId && r.check_in; })[0];
      if (mine) { show(msg.done + " " + mine.check_in.checkpoint_name, "done"); root.setAttribute("data-checked-in", "sent"); }
    }
  });
})();
