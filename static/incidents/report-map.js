// The report page's map: tap to place the pin, or use the phone's location; the pin fills the
// hidden lat/lng fields. Open reports of the same kind nearby are listed under the map.
(function () {
  "use strict";
  var form = document.querySelector(".rp-form");
  if (!form) { return; }
  var lat = form.querySelector("input[name=lat]");
  var lng = form.querySelector("input[name=lng]");
  var status = form.querySelector("[data-location-status]");
  var marker = null;
  var theMap = null;

  function setPin(latlng, zoom) {
    lat.value = latlng.lat.toFixed(6);
    lng.value = latlng.lng.toFixed(6);
    if (!theMap) { return; }
    if (marker) { marker.setLatLng(latlng); } else { marker = L.marker(latlng).addTo(theMap); }
    marker.getElement && marker.getElement() && marker.getElement().setAttribute("data-testid", "report-pin");
    if (zoom) { theMap.setView(latlng, 17); }
    loadNearby();
  }

  function loadNearby() {
    var category = form.querySelector("input[name=category]:checked");
    var box = form.querySelector("[data-nearby]");
    if (!category || !lat.value) { box.hidden = true; return; }
    var url = form.getAttribute("data-nearby-url") + "?category=" + encodeURIComponent(category.value) +
      "&lat=" + lat.value + "&lng=" + lng.value;
    fetch(url, { headers: { "Accept": "application/json" } }).then(function (r) { return r.json(); }).then(function (data) {
      var list = form.querySelector("[data-nearby-list]");
      list.innerHTML = "";
      (data.reports || []).forEach(function (r) {
        var li = document.createElement("li");
        var text = r.reported + " · " + r.category + " · " + r.status;
        li.appendChild(document.createTextNode(text + " "));
        var add = document.createElement("button");
        add.type = "button";
        add.className = "button";
        add.textContent = list.getAttribute("data-add-label");
        add.setAttribute("data-add-to", String(r.id));
        add.addEventListener("click", function () { addTo(r.id, text); });
        li.appendChild(add);
        list.appendChild(li);
      });
      box.hidden = !(data.reports && data.reports.length);
    }).catch(function () { box.hidden = true; });
  }

  // "Add to this report": the form is sent as an addition to an open report of the same incident
  var addToInput = form.querySelector("input[name=add_to]");
  var adding = form.querySelector("[data-adding]");
  function addTo(id, text) {
    addToInput.value = id;
    adding.querySelector("[data-adding-what]").textContent = text;
    adding.hidden = false;
  }
  adding.querySelector("[data-adding-cancel]").addEventListener("click", function () {
    addToInput.value = "";
    adding.hidden = true;
  });

  window.reportMapInit = function (map) {
    theMap = map;
    var boundary = JSON.parse(document.getElementById("station-boundary").textContent || "null");
    if (typeof boundary === "string") { boundary = JSON.parse(boundary); }
    if (boundary) {
      var layer = L.geoJSON(boundary, { style: { color: "#0b3d91", weight: 2, fill: false } }).addTo(map);
      map.invalidateSize(false);
      map.fitBounds(layer.getBounds(), { animate: false });
    }
    map.on("click", function (e) { setPin(e.latlng, false); });
    if (lat.value && lng.value) { setPin(L.latLng(parseFloat(lat.value), parseFloat(lng.value)), true); }
    map.getContainer().setAttribute("data-map-ready", "true");
  };

  form.querySelectorAll("input[name=category]").forEach(function (r) { r.addEventListener("change", loadNearby); });
  var locate = form.querySelector("[data-use-my-location]");
  locate.addEventListener("click", function () {
    if (!navigator.geolocation) { status.textContent = locate.getAttribute("data-unavailable") || ""; return; }
    status.textContent = "…";
    navigator.geolocation.getCurrentPosition(function (pos) {
      status.textContent = "";
      setPin(L.latLng(pos.coords.latitude, pos.coords.longitude), true);
    }, function (err) { status.textContent = err.message; }, { enableHighAccuracy: true, timeout: 15000 });
  });
})();
