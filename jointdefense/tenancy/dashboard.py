"""The chief's dashboard: the figures the apps register (``core.registry.figures``) for a period
against the one before, each leading to the list behind it; and the same table as CSV.

The platform imports no domain app: it only composes what is registered. Each figure costs one
query per period (its selector), so the page's query count does not grow with the rows.
"""

import csv
import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from jointdefense.core.periods import KIND_LABELS, Period, period_from_query
from jointdefense.core.registry import FIGURE_GROUPS, figures

from .roles import has_station_perm
from .views import BureauStationsMixin, StationViewMixin

UNIT_SUFFIX = {"count": "", "hours": " h", "percent": " %", "minutes": " min"}
UNIT_LABELS = {
    "count": gettext_lazy("count"),
    "hours": gettext_lazy("hours"),
    "percent": gettext_lazy("percent"),
    "minutes": gettext_lazy("minutes"),
}


def _number(value: Any) -> float | None:
    if value is None:
        return None
    return float(value) if isinstance(value, Decimal | float) else value


def figure_rows(request, tenant, period: Period) -> list[dict[str, Any]]:
    """Each figure the user may see: its value for ``period`` and for the one before, the change."""
    before = period.previous()
    rows = []
    for figure in figures:
        if not has_station_perm(request.user, tenant, figure.permission):
            continue
        linked = figure.link is not None and (
            not figure.link_permission or has_station_perm(request.user, tenant, figure.link_permission)
        )
        value, previous = _number(figure.compute(tenant, period)), _number(figure.compute(tenant, before))
        change = None if value is None or previous is None else value - previous
        rows.append(
            {
                "figure": figure,
                "group": FIGURE_GROUPS[figure.group],
                "value": value,
                "previous": previous,
                "change": change,
                "change_share": (change / previous * 100 if change is not None and previous else None),
                "link": figure.link(tenant, period) if linked else "",
                "previous_link": figure.link(tenant, before) if linked else "",
            }
        )
    return rows


def shown(value: float | int | None, unit: str, signed: bool = False) -> str:
    """A figure as the page and the CSV show it: counts whole, the others to one decimal."""
    if value is None:
        return "—"
    places = 0 if unit == "count" or (unit == "minutes" and value == int(value)) else 1
    text = number_format(round(value, places), places, force_grouping=True)
    if signed and value > 0:
        text = "+" + text
    return text + UNIT_SUFFIX[unit]


def _period_from_request(request, tenant) -> Period:
    return period_from_query(request.GET, tenant.zoneinfo, timezone.localdate())


class DashboardView(BureauStationsMixin, StationViewMixin, View):
    """``/s/<station>/dashboard/``: the period picker and the figures by section."""

    permission_required = "station.view_dashboard"

    def get(self, request, *args, **kwargs):
        try:
            period = _period_from_request(request, self.tenant)
        except ValidationError as error:
            return render(
                request,
                "tenancy/dashboard.html",
                {"error": " ".join(error.messages), "picker": self.picker(request.GET, None)},
                status=400,
            )
        rows = figure_rows(request, self.tenant, period)
        sections: dict[str, dict[str, Any]] = {}
        for row in rows:
            item = {**row, "value_text": shown(row["value"], row["figure"].unit)}
            item["previous_text"] = shown(row["previous"], row["figure"].unit)
            item["change_text"] = shown(row["change"], row["figure"].unit, signed=True)
            sections.setdefault(row["figure"].group, {"label": row["group"], "rows": []})["rows"].append(item)
        previous, following = period.previous(), self._next(period)
        return render(
            request,
            "tenancy/dashboard.html",
            {
                "period": period,
                "before": previous,
                "sections": list(sections.values()),
                "picker": self.picker(request.GET, period),
                "previous_url": "?" + urlencode(previous.picker()),
                "next_url": "?" + urlencode(following.picker()) if following else "",
                "csv_url": "csv/?" + urlencode(period.picker()),
            },
        )

    @staticmethod
    def _next(period: Period) -> Period | None:
        day = period.last_day + datetime.timedelta(days=1)
        if day > timezone.localdate():
            return None
        if period.kind == "custom":
            return Period("custom", day, day + datetime.timedelta(days=period.days - 1), period.tz)
        return Period.containing(period.kind, day, period.tz)

    @staticmethod
    def picker(query, period: Period | None) -> dict[str, Any]:
        kind = period.kind if period else (query.get("period") or "month")
        return {
            "kinds": list(KIND_LABELS.items()),
            "kind": kind,
            "date": period.first_day.isoformat()
            if period and kind != "custom"
            else query.get("date", "")[:10],
            "start": period.first_day.isoformat() if period else query.get("start", "")[:10],
            "end": period.last_day.isoformat() if period else query.get("end", "")[:10],
        }


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(cell: Any) -> Any:
    """A text cell a spreadsheet would run as a formula gets a leading quote (numbers stay numbers)."""
    if isinstance(cell, str) and cell.startswith(FORMULA_START):
        return "'" + cell
    return cell


def _csv_number(value: float | int | None) -> Any:
    if value is None:
        return ""
    return round(value, 2) if isinstance(value, float) else value


class DashboardCsvView(DashboardView):
    """The figures table as CSV for Excel: UTF-8 with a byte-order mark, formula-safe text."""

    def get(self, request, *args, **kwargs):
        try:
            period = _period_from_request(request, self.tenant)
        except ValidationError as error:
            return HttpResponse(
                " ".join(error.messages), status=400, content_type="text/plain; charset=utf-8"
            )
        rows = figure_rows(request, self.tenant, period)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        filename = (
            f"{self.tenant.slug}-figures-{period.first_day.isoformat()}-{period.last_day.isoformat()}.csv"
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response.write("\ufeff")
        writer = csv.writer(response)
        header = [_("Section"), _("Figure"), _("Unit"), period.label, period.previous().label, _("Change")]
        writer.writerow([formula_safe(str(cell)) for cell in header])
        for row in rows:
            figure = row["figure"]
            writer.writerow(
                [
                    formula_safe(str(row["group"])),
                    formula_safe(str(figure.label)),
                    formula_safe(str(UNIT_LABELS[figure.unit])),
                    _csv_number(row["value"]),
                    _csv_number(row["previous"]),
                    _csv_number(row["change"]),
                ]
            )
        return response
