// Maps of the patrol planning pages. Layers come from <script id="planning-layers"> (GeoJSON with a
// "layer" property: station, community, route, checkpoint, reports). On pages with a drawing widget
// (route and checkpoint forms) the same layers are drawn under it, for reference.
(function () {
  "use strict";
  var styles = {
    station: { color: "#0b3d91", weight: 3, fill: false, interactive: false },
    community: { color: "#c0262d", weight: 2, fillOpacity: 0.08, interactive: false },
    route: { color: "#1d7a3a", weight: 5, opacity: 0.85 }
  };
  var tierStyles = {
    brigade: { color: "#0f766e", weight: 6, opacity: 0.85 },
    community: { color: "#1d7a3a", weight: 4, opacity: 0.85 },
    compound: { color: "#7a3db8", weight: 4, opacity: 0.85 }
  };

  function layersData() {
    var holder = document.getElementById("planning-layers");
    return holder ? JSON.parse(holder.textContent) : null;
  }

  function draw(map, data) {
    var groups = { station: [], community: [], route: [], checkpoint: [], reports: [] };
    L.geoJSON(data, {
      style: function (f) {
        var p = f.properties;
        var s = Object.assign({}, p.layer === "route" ? (tierStyles[p.tier] || styles.route) : styles[p.layer]);
        s.className = "layer-" + p.layer;
        return s;
      },
      pointToLayer: function (f, latlng) {
        var p = f.properties;
        if (p.layer === "reports") {
          return L.circleMarker(latlng, {
            radius: Math.min(6 + 3 * Math.sqrt(p.count), 30), color: "#c0262d", weight: 1,
            fillColor: "#e0452b", fillOpacity: 0.45, className: "layer-reports"
          });
        }
        var group = L.featureGroup([
          L.circle(latlng, { radius: p.radius || 50, color: "#e08a00", weight: 1, fillOpacity: 0.15, interactive: false }),
          L.circleMarker(latlng, { radius: 6, color: "#e08a00", fillColor: "#fff", fillOpacity: 1, weight: 3,
            className: "layer-checkpoint" + (p.active === false ? " inactive" : "") })
        ]);
        return group;
      },
      onEachFeature: function (f, layer) {
        var p = f.properties;
        if (groups[p.layer]) { groups[p.layer].push(layer); }
        if (p.name && p.layer !== "station") { layer.bindTooltip(String(p.name), { sticky: true }); }
      }
    }).addTo(map);
    map.getContainer().setAttribute("data-route-count", String(groups.route.length));
    map.getContainer().setAttribute("data-checkpoint-count", String(groups.checkpoint.length));
    map.getContainer().setAttribute("data-report-count", String(groups.reports.length));
    return groups;
  }

  function fit(map, groups, names) {
    var layers = [];
    names.forEach(function (n) { layers = layers.concat(groups[n]); });
    if (!layers.length) { return; }
    map.invalidateSize(false);
    map.fitBounds(L.featureGroup(layers).getBounds(), { padding: [16, 16], animate: false, maxZoom: 17 });
  }

  // read-only maps: {% leaflet_map ... callback="window.patrolMapInit" %}
  window.patrolMapInit = function (map) {
    var data = layersData();
    if (data) {
      var groups = draw(map, data);
      fit(map, groups, groups.route.length || groups.checkpoint.length ? ["route", "checkpoint"] : ["station"]);
    }
    map.getContainer().setAttribute("data-map-ready", "true");
  };

  // drawing widgets (django-leaflet forms): reference layers under the drawing
  window.addEventListener("map:init", function (e) {
    var map = e.detail.map;
    if (!map.getContainer().id || map.getContainer().id.indexOf("id_") !== 0) { return; }
    var data = layersData();
    if (!data) { return; }
    var groups = draw(map, data);
    var field = document.getElementById(map.getContainer().id.replace(/-map$/, ""));
    if (!field || !field.value) {
      fit(map, groups, groups.route.length ? ["route", "checkpoint"] : ["station"]);
    }
    map.getContainer().setAttribute("data-map-ready", "true");
  });
})();
