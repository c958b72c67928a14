"""Filter fields for the apps' filters.py: date-time filters that refuse, with a message, a time the
database cannot hold (year 1 with a negative offset, year 9999 with a positive one) instead of
failing the query."""

import datetime

import django_filters
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField

from .periods import EARLIEST, LATEST, local_midnight


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


def _within_years(value: datetime.date) -> None:
    if not EARLIEST <= value <= LATEST:
        raise ValidationError(
            _("Choose a date between %(earliest)s and %(latest)s."),
            code="date_range",
            params={"earliest": EARLIEST.isoformat(), "latest": LATEST.isoformat()},
        )


class LocalDayFilter(django_filters.DateFilter):
    """One end of a range of whole days in the station's time zone (the request's current one),
    read like ``core.periods``: ``start`` from that day's local midnight, ``end`` up to the local
    midnight after that day. The dashboard's figures link to lists with ``?start=…&end=…``, so a
    list holds exactly the rows a figure counts."""

    def __init__(self, *args, bound: str = "start", **kwargs):
        self.bound = bound
        kwargs.setdefault("lookup_expr", "gte" if bound == "start" else "lt")
        kwargs.setdefault("validators", [_within_years])
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value in ([], (), {}, "", None):
            return qs
        day = value + datetime.timedelta(days=1) if self.bound == "end" else value
        return super().filter(qs, local_midnight(day, timezone.get_current_timezone()))
