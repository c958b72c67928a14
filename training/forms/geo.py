"""The map pin of a session's place: GeoJSON from the Leaflet widget, read by the portal itself
(``json`` and a GEOS Point from two numbers), never handed to GDAL (DESIGN.md: user input never
reaches GDAL as a spatial reference). The reader is tenancy.geo's, shared with patrols."""

from django.contrib.gis import forms
from django.contrib.gis.geos import GEOSGeometry
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from leaflet.forms.widgets import LeafletWidget

from jointdefense.tenancy.geo import point_from_geojson


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
