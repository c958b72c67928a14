"""Filter fields for the apps' filters.py: date-time filters that refuse, with a message, a time the
database cannot hold (year 1 with a negative offset, year 9999 with a positive one) instead of
failing the query."""

import datetime

import django_filters
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField


def representable(value: datetime.datetime | None) -> datetime.datetime | None:
    """``value`` in UTC (PostgreSQL takes offsets only up to 15:59; Python up to 23:59), or a
    ValidationError when it is not within the years 1..9999 there."""
    if value is None:
        return None
    try:
        return value.astimezone(datetime.UTC)
    except (OverflowError, ValueError):
        raise ValidationError(
            _("Enter a date and time between the years 1 and 9999."), code="out_of_range"
        ) from None


class SafeIsoDateTimeField(IsoDateTimeField):
    def to_python(self, value):
        return representable(super().to_python(value))


class IsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = SafeIsoDateTimeField
