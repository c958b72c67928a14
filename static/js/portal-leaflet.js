// Creates the pages' Leaflet maps and drawing widgets without inline script (the portal's
// Content-Security-Policy refuses inline script). templates/leaflet/_leaflet_map.html and
// widget.html (overriding django-leaflet's) put each map's and field's settings in data attributes;
// this does what django-leaflet's inline scripts did. Included once per map: it acts once per map.
(function () {
  "use strict";

  // "window.reportMapInit" or "L.GeometryField": the object at that dotted path, if any
  function lookup(path) {
    if (!path) { return null; }
    var names = path.split(".");
    var value = window;
    if (names[0] === "window") { names.shift(); }
    for (var i = 0; i < names.length && value != null; i++) { value = value[names[i]]; }
    return value == null ? null : value;
  }

  function fieldCallback(field) {
    // what django-leaflet's widget.html defined as <field>_map_callback
    var module = {
      fieldid: field.getAttribute("data-leaflet-field"),
      modifiable: field.getAttribute("data-modifiable") === "true",
      geom_type: field.getAttribute("data-geom-type"),
      srid: parseInt(field.getAttribute("data-srid"), 10)
    };
    return function (map, options) {
      module.field_store_class = lookup(field.getAttribute("data-field-store-class"));
      module.precision = options.djoptions.precision;
      var GeometryField = lookup(field.getAttribute("data-geometry-field-class"));
      (new GeometryField(module)).addTo(map);
    };
  }

  function fieldFor(name, target) {
    var fields = document.querySelectorAll("[data-leaflet-field]");
    for (var i = 0; i < fields.length; i++) {
      if (fields[i].getAttribute("data-map") === name && (fields[i].getAttribute("data-target-map") === "true") === target) {
        return fields[i];
      }
    }
    return null;
  }

  function setUp(holder) {
    holder.setAttribute("data-leaflet-ready", "pending");
    var name = holder.getAttribute("data-leaflet-map");
    var globals = holder.getAttribute("data-globals") === "true";
    var field = fieldFor(name, false);
    var callback = field ? fieldCallback(field) : lookup(holder.getAttribute("data-callback"));
    function loadmap() {
      var options = {
        djoptions: JSON.parse(holder.getAttribute("data-djoptions")),
        initfunc: loadmap,
        globals: globals,
        callback: typeof callback === "function" ? callback : lookup(holder.getAttribute("data-callback"))
      };
      var map = L.Map.djangoMap(name, options);
      if (globals && map) { window["leafletmap" + name] = map; }
    }
    var loadevents = JSON.parse(holder.getAttribute("data-loadevents") || "[]");
    if (loadevents.length === 0) {
      loadmap();
    } else {
      loadevents.forEach(function (event) { window.addEventListener(event, loadmap, false); });
    }
    if (globals) { window["loadmap" + name] = loadmap; }
  }

  // fields drawn on another field's map (django-leaflet's target_map)
  function setUpTargetField(field) {
    field.setAttribute("data-leaflet-ready", "pending");
    var target = field.getAttribute("data-map");
    var callback = fieldCallback(field);
    window.addEventListener("map:init", function (e) {
      var map = e.detail.map;
      map.on("map:loadfield", function (me) {
        if (me.fieldid === target) {
          setTimeout(function () { callback(map, e.detail.options); }, 0);
        }
      });
    }, false);
  }

  document.querySelectorAll("[data-leaflet-field][data-target-map=true]:not([data-leaflet-ready])").forEach(setUpTargetField);
  document.querySelectorAll("[data-leaflet-map]:not([data-leaflet-ready])").forEach(setUp);
})();
