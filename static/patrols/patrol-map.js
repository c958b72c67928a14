// The maps of the patrols pages, one script for planning and the field.
//
// Planning pages: layers come from <script id="planning-layers"> (GeoJSON with a "layer" property:
// station, community, route, checkpoint, reports). On pages with a drawing widget (route and
// checkpoint forms) the same layers are drawn under it, for reference.
//
// Field pages: <script id="patrol-map-data"> holds the patrol's route, its checkpoints (green when
// done, amber when waiting for an officer) and, for officers, the check-ins' positions.
(function () {
  "use strict";
  // Leaflet inserts a string tooltip as HTML: names typed by people go in as text, never markup
  function textTip(value) {
    var span = document.createElement("span");
    span.textContent = value == null ? "" : String(value);
    return span;
  }
  // a patrol's map (the volunteer's patrol page, the officers' patrol detail)
  function fieldMapInit(map) {
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
      onEachFeature: function (feature, l) { l.bindTooltip(textTip(feature.properties.name)); }
    }).addTo(map);
    if (layer.getLayers().length) {
      map.invalidateSize(false);
      map.fitBounds(layer.getBounds(), { padding: [16, 16], animate: false });
    }
    var c = map.getContainer();
    c.setAttribute("data-map-ready", "true");
    c.setAttribute("data-checkpoint-count", String(data.features.filter(function (f) { return f.properties.layer === "checkpoint"; }).length));
  }

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
        if (p.name && p.layer !== "station") { layer.bindTooltip(textTip(p.name), { sticky: true }); }
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

  // a planning page's read-only map
  function planningMapInit(map) {
    var data = layersData();
    if (data) {
      var groups = draw(map, data);
      fit(map, groups, groups.route.length || groups.checkpoint.length ? ["route", "checkpoint"] : ["station"]);
    }
    map.getContainer().setAttribute("data-map-ready", "true");
  }

  // every read-only map: {% leaflet_map ... callback="window.patrolMapInit" %}; a patrol's page
  // has <script id="patrol-map-data">, a planning page <script id="planning-layers">
  window.patrolMapInit = function (map) {
    if (document.getElementById("patrol-map-data")) {
      fieldMapInit(map);
    } else {
      planningMapInit(map);
    }
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
