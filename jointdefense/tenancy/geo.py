"""GeoJSON for the maps, built from what the selectors loaded (no extra queries)."""

import json
import math

from django.contrib.gis.geos import Point


def geojson_geometry(geometry) -> dict:
    """A GEOS geometry as a GeoJSON geometry, straight from its coordinates (GEOS's ``.geojson``
    goes through OGR and costs ten times more on a map of thousands of grid cells)."""
    if geometry.geom_type == "GeometryCollection":
        return {"type": "GeometryCollection", "geometries": [geojson_geometry(g) for g in geometry]}
    return {"type": geometry.geom_type, "coordinates": geometry.coords}


def _feature(geometry, properties):
    return {"type": "Feature", "geometry": geojson_geometry(geometry), "properties": properties}


def _area_feature(area, properties):
    """A community's or grid cell's boundary: from ``boundary_geojson`` when a selector annotated it
    (PostGIS's ST_AsGeoJSON; the column itself is then deferred), the fast path for maps of
    thousands of cells."""
    text = getattr(area, "boundary_geojson", None)
    shape = json.loads(text) if text else geojson_geometry(area.boundary)
    return {"type": "Feature", "geometry": shape, "properties": properties}


def feature_collection(*, station=None, stations=(), communities=(), grid_cells=None):
    """Layers for the station map: the station boundary, communities, and their grid cells
    (from each community's prefetched cells unless ``grid_cells`` is given)."""
    features = []
    if station is not None and station.boundary:
        features.append(_feature(station.boundary, {"layer": "station", "name": station.name}))
    for s in stations:
        if s.boundary:
            features.append(
                _feature(
                    s.boundary,
                    {"layer": "station", "name": s.name, "slug": s.slug, "communities": s.community_count},
                )
            )
    for c in communities:
        features.append(_area_feature(c, {"layer": "community", "name": c.name, "slug": c.slug, "id": c.pk}))
        if grid_cells is None:
            for g in c.grid_cells.all():
                features.append(_area_feature(g, {"layer": "grid_cell", "name": g.name, "code": g.code}))
    for g in grid_cells or ():
        features.append(_area_feature(g, {"layer": "grid_cell", "name": g.name, "code": g.code}))
    return {"type": "FeatureCollection", "features": features}


def coordinates(lng, lat) -> tuple[float, float]:
    """Longitude and latitude parsed as finite numbers on the globe (never handed to GDAL as text):
    the one parser of coordinates from forms, the API and GeoJSON. ValueError when they are not."""
    lng, lat = float(lng), float(lat)  # TypeError/ValueError for what is not a number
    if not (math.isfinite(lng) and math.isfinite(lat) and -180 <= lng <= 180 and -90 <= lat <= 90):
        raise ValueError("coordinates off the globe")
    return lng, lat


def point(lng, lat) -> Point:
    """A WGS 84 point from :func:`coordinates`; ValueError (or TypeError) when they are not valid."""
    return Point(*coordinates(lng, lat), srid=4326)


# ---- geometry input ------------------------------------------------------------------------------
#
# A drawn line or point arrives as GeoJSON (the Leaflet widget, the API). It is read with ``json``
# and built with GEOS constructors from numbers, never handed to GDAL (whose GeoJSON reader would
# also honour a "crs" member: user input must never reach GDAL as a spatial reference, DESIGN.md).


def geojson_position(value) -> tuple[float, float]:
    """One GeoJSON position ``[lng, lat, …]`` as valid coordinates; ValueError otherwise."""
    if not isinstance(value, list | tuple) or len(value) < 2:
        raise ValueError("position")
    try:
        return coordinates(value[0], value[1])
    except (TypeError, OverflowError):
        raise ValueError("position") from None


def geojson_geometry_object(value) -> dict:
    """A GeoJSON geometry object from text or a parsed value (a Feature gives its geometry)."""
    if isinstance(value, str):
        value = json.loads(value)
    if isinstance(value, dict) and value.get("type") == "Feature":
        value = value.get("geometry")
    if not isinstance(value, dict):
        raise ValueError("geometry")
    return value


def point_from_geojson(value) -> Point:
    """A Point (WGS 84) from a GeoJSON Point (or a Feature of one); ValueError when it is not one."""
    geometry = geojson_geometry_object(value)
    if geometry.get("type") != "Point":
        raise ValueError("type")
    return Point(*geojson_position(geometry.get("coordinates")), srid=4326)
