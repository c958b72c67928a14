// The patrol's route, its checkpoints (green when done, amber when waiting for an officer) and,
// for officers, the check-ins' positions, on the page's Leaflet map.
(function () {
  "use strict";
  window.patrolMapInit = function (map) {
    var holder = document.getElementById("patrol-map-data");
    if (!holder) { return; }
    var data = JSON.parse(holder.textContent);
    var layer = L.geoJSON(data, {
      style: function (f) {
        if (f.geometry.type === "Point") { return {}; }  // markers keep their own class
        return { color: "#0b3d91", weight: 4, className: "layer-route" };
      },
      pointToLayer: function (feature, latlng) {
        var p = feature.properties;
        if (p.layer === "check_in") {
          return L.circleMarker(latlng, { radius: 5, color: p.flagged ? "#c0262d" : "#1d7a3e", className: "layer-check-in" });
        }
        var color = p.done ? "#1d7a3e" : (p.flagged ? "#e08a00" : "#5b6573");
        return L.circle(latlng, { radius: p.radius, color: color, weight: 2, fillOpacity: 0.25,
          className: "layer-checkpoint" + (p.done ? " done" : "") });
      },
      onEachFeature: function (feature, l) { l.bindTooltip(feature.properties.name); }
    }).addTo(map);
    if (layer.getLayers().length) {
      map.invalidateSize(false);
      map.fitBounds(layer.getBounds(), { padding: [16, 16], animate: false });
    }
    var c = map.getContainer();
    c.setAttribute("data-map-ready", "true");
    c.setAttribute("data-checkpoint-count", String(data.features.filter(function (f) { return f.properties.layer === "checkpoint"; }).length));
  };
})();
