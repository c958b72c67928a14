"""Geometry input of the planning pages, parsed by the portal itself.

A drawn line or point arrives as GeoJSON from the Leaflet widget. It is read with ``json`` and
built with GEOS constructors from numbers, never handed to GDAL (whose GeoJSON reader would also
honour a "crs" member: user input must never reach GDAL as a spatial reference, DESIGN.md)."""

import json

from django.contrib.gis import forms
from django.contrib.gis.geos import GEOSGeometry, LineString, Point
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from leaflet.forms.widgets import LeafletWidget

from jointdefense.tenancy.geo import coordinates as valid_coordinates

MAX_VERTICES = 2000


def _position(value):
    if not isinstance(value, list | tuple) or len(value) < 2:
        raise ValueError("position")
    try:
        return valid_coordinates(value[0], value[1])
    except (TypeError, OverflowError):
        raise ValueError("position") from None


def _geometry_object(value):
    if isinstance(value, str):
        value = json.loads(value)
    if isinstance(value, dict) and value.get("type") == "Feature":
        value = value.get("geometry")
    if not isinstance(value, dict):
        raise ValueError("geometry")
    return value


def line_from_geojson(value) -> LineString:
    """A LineString (WGS 84) from a GeoJSON LineString; ValueError when it is not one."""
    geometry = _geometry_object(value)
    if geometry.get("type") != "LineString":
        raise ValueError("type")
    coordinates = geometry.get("coordinates")
    if not isinstance(coordinates, list) or not 2 <= len(coordinates) <= MAX_VERTICES:
        raise ValueError("coordinates")
    return LineString([_position(c) for c in coordinates], srid=4326)


def point_from_geojson(value) -> Point:
    geometry = _geometry_object(value)
    if geometry.get("type") != "Point":
        raise ValueError("type")
    return Point(*_position(geometry.get("coordinates")), srid=4326)


class SafeLeafletWidget(LeafletWidget):
    """The django-leaflet drawing widget, re-reading a submitted value with the portal's parser
    (Django's widget would hand it to GDAL) when the form is shown again with errors."""

    def deserialize(self, value):
        for parse in (line_from_geojson, point_from_geojson):
            try:
                return parse(value)
            except (ValueError, TypeError, KeyError):
                continue
        return None


class _SafeGeoJSONMixin:
    parse = None
    invalid_message = ""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, GEOSGeometry):
            return value
        try:
            return type(self).parse(value)
        except (ValueError, TypeError, KeyError):
            raise ValidationError(self.invalid_message, code="invalid_geom") from None

    def clean(self, value):
        geom = self.to_python(value)
        if geom is None and self.required:
            raise ValidationError(self.error_messages["required"], code="required")
        return geom


class LineGeoJSONField(_SafeGeoJSONMixin, forms.LineStringField):
    parse = staticmethod(line_from_geojson)
    invalid_message = _("Draw the route on the map as one line with at least two points.")


class PointGeoJSONField(_SafeGeoJSONMixin, forms.PointField):
    parse = staticmethod(point_from_geojson)
    invalid_message = _("Place the checkpoint on the map.")
