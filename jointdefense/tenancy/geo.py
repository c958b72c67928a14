"""GeoJSON for the maps, built from GEOS geometries already loaded (no extra queries)."""

import json


def _feature(geometry, properties):
    return {"type": "Feature", "geometry": json.loads(geometry.geojson), "properties": properties}


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
            _feature(c.boundary, {"layer": "community", "name": c.name, "slug": c.slug, "id": c.pk})
        )
        if grid_cells is None:
            for g in c.grid_cells.all():
                features.append(_feature(g.boundary, {"layer": "grid_cell", "name": g.name, "code": g.code}))
    for g in grid_cells or ():
        features.append(_feature(g.boundary, {"layer": "grid_cell", "name": g.name, "code": g.code}))
    return {"type": "FeatureCollection", "features": features}
