"""The map pin of a session's place: GeoJSON from the Leaflet widget, read by the portal itself
(``json`` and a GEOS Point from two numbers), never handed to GDAL (DESIGN.md: user input never
reaches GDAL as a spatial reference). Training may not import patrols, so this is the small
point-only counterpart of patrols.forms.geo."""

import json
import math

from django.contrib.gis import forms
from django.contrib.gis.geos import GEOSGeometry, Point
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from leaflet.forms.widgets import LeafletWidget


def point_from_geojson(value) -> Point:
    """A Point (WGS 84) from a GeoJSON Point (or a Feature of one); ValueError otherwise."""
    data = json.loads(value) if isinstance(value, str) else value
    if not isinstance(data, dict):
        raise ValueError("not an object")
    if data.get("type") == "Feature":
        data = data.get("geometry") or {}
    if data.get("type") != "Point":
        raise ValueError("type")
    coordinates = data.get("coordinates")
    if not isinstance(coordinates, list) or len(coordinates) < 2:
        raise ValueError("coordinates")
    x, y = (float(c) for c in coordinates[:2])
    if not (math.isfinite(x) and math.isfinite(y) and -180 <= x <= 180 and -90 <= y <= 90):
        raise ValueError("range")
    return Point(x, y, srid=4326)


class SafeLeafletWidget(LeafletWidget):
    """The django-leaflet drawing widget, re-reading a submitted value with the portal's parser."""

    def deserialize(self, value):
        try:
            return point_from_geojson(value)
        except (ValueError, TypeError, KeyError):
            return None


class PointGeoJSONField(forms.PointField):
    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, GEOSGeometry):
            return value
        try:
            return point_from_geojson(value)
        except (ValueError, TypeError, KeyError):
            raise ValidationError(_("Place the session on the map."), code="invalid_geom") from None

    def clean(self, value):
        geom = self.to_python(value)
        if geom is None and self.required:
            raise ValidationError(self.error_messages["required"], code="required")
        return geom
