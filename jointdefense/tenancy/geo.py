"""GeoJSON for the maps, built from what the selectors loaded (no extra queries)."""

import json


def geojson_geometry(geometry) -> dict:
    """A GEOS geometry as a GeoJSON geometry, straight from its coordinates (GEOS's ``.geojson``
    goes through OGR and costs ten times more on a map of thousands of grid cells)."""
    if geometry.geom_type == "GeometryCollection":
        return {"type": "GeometryCollection", "geometries": [geojson_geometry(g) for g in geometry]}
    return {"type": geometry.geom_type, "coordinates": geometry.coords}


def _feature(geometry, properties, obj=None):
    """``obj.boundary_geojson``, when a selector annotated it (PostGIS's ST_AsGeoJSON), saves
    building the geometry in Python at all: the fast path for maps of thousands of cells."""
    text = getattr(obj, "boundary_geojson", None)
    shape = json.loads(text) if text else geojson_geometry(geometry)
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
        features.append(
            _feature(_boundary(c), {"layer": "community", "name": c.name, "slug": c.slug, "id": c.pk}, c)
        )
        if grid_cells is None:
            for g in c.grid_cells.all():
                features.append(
                    _feature(_boundary(g), {"layer": "grid_cell", "name": g.name, "code": g.code}, g)
                )
    for g in grid_cells or ():
        features.append(_feature(_boundary(g), {"layer": "grid_cell", "name": g.name, "code": g.code}, g))
    return {"type": "FeatureCollection", "features": features}


def _boundary(obj):
    """The geometry, unless the GeoJSON text is there already (then the column may be deferred)."""
    return None if getattr(obj, "boundary_geojson", None) else obj.boundary
