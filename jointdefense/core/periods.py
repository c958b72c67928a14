"""Periods of the station's figures: a week, month, quarter, year or chosen dates.

A period runs from the station's local midnight of its first day to the local midnight after its
last day (``[start, end)``, both aware datetimes), computed in the station's time zone, so a week
that crosses a daylight-saving change is still seven local days (167 or 169 hours long).

``period_from_query(request.GET, tz, today)`` reads ``?period=week|month|quarter|year&date=…``
(the period holding that day; today's by default) or ``?start=YYYY-MM-DD&end=YYYY-MM-DD`` (both
days included) and raises a translated :class:`~django.core.exceptions.ValidationError` on bad
input. ``Period.query()`` gives the ``start``/``end`` parameters of the lists a figure links to,
which read them with the same meaning (``core.filters.LocalDayRangeFilter``).
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

KINDS = ("week", "month", "quarter", "year", "custom")
KIND_LABELS = {
    "week": gettext_lazy("Week"),
    "month": gettext_lazy("Month"),
    "quarter": gettext_lazy("Quarter"),
    "year": gettext_lazy("Year"),
    "custom": gettext_lazy("Dates"),
}
MAX_DAYS = 3660  # about 10 years: longer ranges are refused
EARLIEST = datetime.date(2000, 1, 1)
LATEST = datetime.date(2099, 12, 31)


def local_midnight(day: datetime.date, tz: datetime.tzinfo) -> datetime.datetime:
    """The aware moment the day begins in ``tz`` (zoneinfo resolves a gap or fold)."""
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=tz)


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    kind: str
    first_day: datetime.date
    last_day: datetime.date
    tz: datetime.tzinfo

    @property
    def start(self) -> datetime.datetime:
        return local_midnight(self.first_day, self.tz)

    @property
    def end(self) -> datetime.datetime:
        """Exclusive: the local midnight after the last day."""
        return local_midnight(self.last_day + datetime.timedelta(days=1), self.tz)

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    @classmethod
    def containing(cls, kind: str, day: datetime.date, tz: datetime.tzinfo) -> Period:
        """The week (Monday to Sunday), month, quarter or year holding ``day``."""
        if kind == "week":
            first = day - datetime.timedelta(days=day.weekday())
            return cls(kind, first, first + datetime.timedelta(days=6), tz)
        months = {"month": 1, "quarter": 3, "year": 12}.get(kind)
        if months is None:
            raise ValueError(f"unknown period kind {kind!r}")
        if kind == "quarter":
            first = datetime.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
        elif kind == "year":
            first = datetime.date(day.year, 1, 1)
        else:
            first = day.replace(day=1)
        return cls(kind, first, _add_months(first, months) - datetime.timedelta(days=1), tz)

    def previous(self) -> Period:
        """The period just before: the week, month, quarter or year before, or as many days
        before chosen dates."""
        if self.kind == "custom":
            last = self.first_day - datetime.timedelta(days=1)
            return Period("custom", last - datetime.timedelta(days=self.days - 1), last, self.tz)
        return Period.containing(self.kind, self.first_day - datetime.timedelta(days=1), self.tz)

    def query(self) -> dict[str, str]:
        """The ``start``/``end`` parameters of a list showing this period's rows."""
        return {"start": self.first_day.isoformat(), "end": self.last_day.isoformat()}

    def picker(self) -> dict[str, str]:
        """The parameters that choose this period again on the dashboard."""
        if self.kind == "custom":
            return self.query()
        return {"period": self.kind, "date": self.first_day.isoformat()}

    @property
    def label(self) -> str:
        if self.first_day == self.last_day:
            return self.first_day.isoformat()
        return f"{self.first_day.isoformat()} – {self.last_day.isoformat()}"


def parse_day(value: str, field: str) -> datetime.date:
    try:
        day = datetime.date.fromisoformat(value.strip())
    except ValueError:
        raise ValidationError(
            _("“%(value)s” is not a date: use YYYY-MM-DD."),
            code="date",
            params={"value": value[:40]},
        ) from None
    if not EARLIEST <= day <= LATEST:
        raise ValidationError(
            _("Choose a date between %(earliest)s and %(latest)s."),
            code="date_range",
            params={"earliest": EARLIEST.isoformat(), "latest": LATEST.isoformat()},
        )
    return day


def day_range(start: str | None, end: str | None) -> tuple[datetime.date, datetime.date]:
    """Chosen dates, first and last day included, checked: in order, at most ``MAX_DAYS``."""
    if not start or not end:
        raise ValidationError(_("Give both a first and a last day."), code="dates_missing")
    first, last = parse_day(start, "start"), parse_day(end, "end")
    if last < first:
        raise ValidationError(_("The last day comes before the first day."), code="dates_order")
    if (last - first).days + 1 > MAX_DAYS:
        raise ValidationError(
            _("Choose at most %(days)s days."), code="dates_too_long", params={"days": MAX_DAYS}
        )
    return first, last


def period_from_query(
    query: Mapping[str, Any], tz: datetime.tzinfo | str, today: datetime.date, default: str = "month"
) -> Period:
    """The period a page's query string asks for (``default`` holding ``today`` when it asks for
    none). Raises ValidationError with a translated message on bad input."""
    if isinstance(tz, str):
        tz = zoneinfo.ZoneInfo(tz)
    kind = query.get("period") or ""
    start, end = query.get("start") or "", query.get("end") or ""
    if not kind and (start or end):
        first, last = day_range(start, end)
        return Period("custom", first, last, tz)
    kind = kind or default
    if kind == "custom":
        first, last = day_range(start, end)
        return Period("custom", first, last, tz)
    if kind not in KINDS:
        raise ValidationError(
            _("Choose a week, month, quarter, year or dates."), code="period", params={"value": kind[:40]}
        )
    date = query.get("date") or ""
    day = parse_day(date, "date") if date else today
    return Period.containing(kind, day, tz)
