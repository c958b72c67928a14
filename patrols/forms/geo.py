"""Map fields of the planning pages: geometry input parsed by the portal itself.

A drawn line or point arrives as GeoJSON from the Leaflet widget and is read by the parsers of
patrols.services.planning (``json`` and GEOS constructors from numbers), never handed to GDAL
(whose GeoJSON reader would also honour a "crs" member: user input must never reach GDAL as a
spatial reference, DESIGN.md)."""

from django.contrib.gis import forms
from django.contrib.gis.geos import GEOSGeometry
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from leaflet.forms.widgets import LeafletWidget

from jointdefense.tenancy.geo import point_from_geojson

from ..services.planning import line_from_geojson


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
