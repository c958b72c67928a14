// The duty board: every active patrol's route and last check-in on one map, refreshed from the
// board's JSON every 15 seconds without reloading the page.
(function () {
  "use strict";
  // Leaflet inserts a string tooltip as HTML: names typed by people go in as text, never markup
  function textTip(value) {
    var span = document.createElement("span");
    span.textContent = value == null ? "" : String(value);
    return span;
  }
  var colors = { brigade: "#0b3d91", community: "#c0262d", compound: "#6a3d9a" };
  window.boardMapInit = function (map) {
    var root = document.querySelector("[data-board]");
    var layer = L.featureGroup().addTo(map);
    var list = document.querySelector("[data-board-list]");
    var first = true;
    var boundary = document.getElementById("board-boundary");
    if (boundary && boundary.textContent !== "null") {
      var b = L.geoJSON(JSON.parse(boundary.textContent), { style: { color: "#0b3d91", weight: 2, fill: false } }).addTo(map);
      map.fitBounds(b.getBounds(), { animate: false });
    }
    function draw(data) {
      layer.clearLayers();
      L.geoJSON(data, {
        style: function (f) {
          if (f.geometry.type === "Point") { return {}; }  // markers keep their own class
          return { color: colors[f.properties.tier] || "#333", weight: 4, opacity: 0.7, className: "layer-route" };
        },
        pointToLayer: function (f, latlng) {
          return L.circleMarker(latlng, { radius: 8, color: colors[f.properties.tier] || "#333", fillOpacity: 0.9, className: "layer-position" });
        },
        onEachFeature: function (f, l) {
          var p = f.properties;
          l.bindTooltip(textTip(p.volunteer + " · " + p.route + (p.last_check_in_local ? " · " + p.last_check_in_local : "")));
        }
      }).eachLayer(function (l) { layer.addLayer(l); });
      if (first && layer.getLayers().length) { map.fitBounds(layer.getBounds(), { padding: [20, 20], animate: false }); }
      first = false;
      var rows = data.features.filter(function (f) { return f.properties.layer === "route"; });
      list.innerHTML = "";
      rows.forEach(function (f) {
        var p = f.properties;
        var li = document.createElement("li");
        li.setAttribute("data-patrol", p.patrol);
        li.textContent = p.volunteer + " · " + p.route + " (" + p.tier_label + ") · " +
          p.checkpoints_done + "/" + p.checkpoints_total + (p.last_check_in_local ? " · " + p.last_checkpoint + " " + p.last_check_in_local : " · —");
        list.appendChild(li);
      });
      root.querySelector("[data-board-empty]").hidden = rows.length > 0;
      root.setAttribute("data-patrol-count", String(rows.length));
      root.setAttribute("data-updated", data.generated_at);
    }
    draw(JSON.parse(document.getElementById("board-data").textContent));
    map.getContainer().setAttribute("data-map-ready", "true");
    var interval = parseInt(root.dataset.interval, 10) || 15000;
    setInterval(function () {
      fetch(root.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) { if (data) { draw(data); } })
        .catch(function () {});
    }, interval);
  };
})();
