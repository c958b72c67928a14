// The dashboard's heat map (templates/tenancy/dashboard_map.html): called by django-leaflet once the
// map exists (callback="window.portalHeatInit"), it fetches from the holder's data-heat-url the
// period's heat points (JSON rows of [lat, lng, reports], counted by the database in cells, never
// exact places) and the station's and communities' outlines (GeoJSON, "areas"), draws the outlines
// and adds the points as a Leaflet.heat layer (static/vendor/leaflet-heat/).
(function () {
  "use strict";
  var outline = {
    station: { color: "#0b3d91", weight: 2, fill: false },
    community: { color: "#4a5560", weight: 1, dashArray: "4 4", fill: false }
  };
  function textTip(value) {
    var span = document.createElement("span");
    span.textContent = value == null ? "" : String(value);
    return span;
  }
  window.portalHeatInit = function (map) {
    var container = map.getContainer();
    var holder = container.closest("[data-heat-url]");
    var status = holder && holder.querySelector("[data-heat-status]");
    var bounds = null;
    function drawAreas(areas) {
      if (!areas) { return; }
      var layer = L.geoJSON(areas, {
        style: function (f) { return outline[f.properties.layer] || outline.community; },
        onEachFeature: function (f, l) { if (f.properties.layer === "community") { l.bindTooltip(textTip(f.properties.name), { sticky: true }); } }
      }).addTo(map);
      if (layer.getLayers().length) {
        bounds = layer.getBounds();
        map.invalidateSize(false);
        map.fitBounds(bounds, { padding: [8, 8], animate: false });
      }
    }
    if (!holder || typeof L.heatLayer !== "function") { return; }
    fetch(holder.getAttribute("data-heat-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json().then(function (body) {
          if (!response.ok) { throw new Error(body.detail || response.statusText); }
          return body;
        });
      })
      .then(function (body) {
        drawAreas(body.areas);
        var heat = L.heatLayer(body.points, {
          radius: 22, blur: 18, minOpacity: 0.35, maxZoom: 17, max: Math.max(body.max || 1, 1)
        }).addTo(map);
        container.setAttribute("data-heat-points", String(body.points.length));
        if (!bounds && body.points.length) {
          map.fitBounds(L.latLngBounds(body.points.map(function (p) { return [p[0], p[1]]; })), { padding: [12, 12], animate: false });
        }
        container.setAttribute("data-heat-ready", "true");
        return heat;
      })
      .catch(function (error) {
        if (status) { status.textContent = error.message; }
        container.setAttribute("data-heat-ready", "error");
      });
  };
})();
