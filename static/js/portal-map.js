// Draws the GeoJSON layers of a page (station boundary, communities, grid cells) on its Leaflet map.
// Called by django-leaflet once the map exists; the data sits in <script id="<map id>-data">.
(function () {
  "use strict";
  // Leaflet inserts a string tooltip as HTML: names typed by people go in as text, never markup
  function textTip(value) {
    var span = document.createElement("span");
    span.textContent = value == null ? "" : String(value);
    return span;
  }
  var styles = {
    station: { color: "#0b3d91", weight: 3, fill: false },
    community: { color: "#c0262d", weight: 2, fillOpacity: 0.12 },
    grid_cell: { color: "#e08a00", weight: 1, dashArray: "4 4", fill: false }
  };
  var reportColours = { urgent: "#c0262d", high: "#c0262d", normal: "#0b3d91", low: "#0b3d91" };
  window.portalMapInit = function (map) {
    var holder = document.getElementById(map.getContainer().id + "-data");
    if (!holder) { return; }
    var data = JSON.parse(holder.textContent);
    var layers = {};
    ["station", "community", "grid_cell"].forEach(function (name) {
      var features = data.features.filter(function (f) { return f.properties.layer === name; });
      layers[name] = L.geoJSON({ type: "FeatureCollection", features: features }, {
        style: function () {
          var s = Object.assign({}, styles[name]);
          s.className = "layer-" + name.replace("_", "-");
          return s;
        },
        onEachFeature: function (feature, layer) {
          var p = feature.properties;
          layer.bindTooltip(textTip((p.code ? p.code + " " : "") + p.name), { sticky: true });
        }
      }).addTo(map);
    });
    // reports (the triage map): a dot per report, linking to its case page
    var reports = data.features.filter(function (f) { return f.properties.layer === "report"; });
    layers.report = L.geoJSON({ type: "FeatureCollection", features: reports }, {
      pointToLayer: function (feature, latlng) {
        return L.circleMarker(latlng, {
          radius: 7, weight: 1, color: "#fff", fillOpacity: 0.85,
          fillColor: reportColours[feature.properties.priority] || "#0b3d91",
          className: "layer-report priority-" + feature.properties.priority
        });
      },
      onEachFeature: function (feature, layer) {
        var link = document.createElement("a");
        link.href = feature.properties.url;
        link.textContent = feature.properties.name;
        layer.bindPopup(link);
      }
    }).addTo(map);
    map.getContainer().setAttribute("data-report-count", String(layers.report.getLayers().length));
    var all = L.featureGroup(Object.keys(layers).map(function (k) { return layers[k]; }));
    if (all.getLayers().some(function (g) { return g.getLayers().length; })) {
      map.invalidateSize(false);
      map.fitBounds(all.getBounds(), { padding: [12, 12], animate: false });
    }
    map.getContainer().setAttribute("data-map-ready", "true");
    map.getContainer().setAttribute("data-community-count", String(layers.community.getLayers().length));
  };
})();
