"""The chief's dashboard: the figures the apps register (``core.registry.figures``) for a period
against the one before, each leading to the list behind it; and the same table as CSV.

The platform imports no domain app: it only composes what is registered. Each figure costs one
query per period (its selector), so the page's query count does not grow with the rows.
"""

import datetime
from typing import Any

from django.contrib.gis.db.models.functions import AsGeoJSON
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views import View

from jointdefense.core.numbers import UNIT_LABELS, shown
from jointdefense.core.periods import KIND_LABELS, Period, period_from_query
from jointdefense.core.registry import FIGURE_GROUPS
from jointdefense.core.spreadsheets import csv_download

from .bureau import BureauFiguresMixin
from .geo import feature_collection
from .models import Community
from .selectors import dashboard_breakdowns, dashboard_maps_for, dashboard_top, figure_table, figure_trends
from .views import StationViewMixin

BREAKDOWN_ROWS = 20  # rows of each breakdown table shown on the dashboard (the busiest first)


def _period_from_request(request, tenant) -> Period:
    return period_from_query(request.GET, tenant.zoneinfo, timezone.localdate())


def _trend_rows(weeks: list[datetime.date], values: list[Any], unit: str) -> SafeString:
    """A trend table's rows: a year's fifty-two for each chart, written here rather than by the
    template engine's loop (the same markup, a tenth of the time); the dates are ISO dates and
    the numbers escaped."""
    return mark_safe(  # noqa: S308 - ISO dates and escaped text only
        "".join(
            f'<tr><th scope="row"><time datetime="{iso}">{iso}</time></th>'
            f'<td class="num">{escape(shown(value, unit))}</td></tr>'
            for iso, value in (
                (monday.isoformat(), value) for monday, value in zip(weeks, values, strict=True)
            )
        )
    )


def _linked(url: str, text: str) -> SafeString:
    return format_html('<a href="{}">{}</a>', url, text) if url else escape(text)


def _figure_row_html(item: dict[str, Any]) -> SafeString:
    """A figure's row of the dashboard's table: written here rather than by the template engine,
    which took a fifth of the page's time for its sixty-odd rows; every text escaped."""
    figure, change = item["figure"], item["change"]
    trend = (
        " up" if change is not None and change > 0 else " down" if change is not None and change < 0 else ""
    )
    return format_html(
        '<tr data-figure="{}"><th scope="row">{}{}</th>'
        '<td class="num" data-testid="value">{}</td><td class="num">{}</td>'
        '<td class="num{}">{}</td></tr>',
        figure.key,
        figure.label,
        format_html('<span class="help dash-help">{}</span>', figure.help) if figure.help else "",
        _linked(item["link"], item["value_text"]),
        _linked(item["previous_link"], item["previous_text"]),
        trend,
        item["change_text"],
    )


def _charts_and_maps(request, tenant, period: Period) -> dict[str, Any]:
    """The trend charts (each with its table) and the maps' breakdown tables of the dashboard; the
    heat points themselves come from :class:`DashboardHeatView`. A bureau's page has neither: it
    lists its stations."""
    if tenant.is_bureau:
        return {}
    trends = []
    for n, trend in enumerate(
        figure_trends(user=request.user, tenant=tenant, period=period, today=timezone.localdate())
    ):
        unit = trend.figure.unit
        trends.append(
            {
                "id": f"trend-{n}",
                "figure": trend.figure,
                "rows_html": _trend_rows(trend.weeks, trend.values, unit),
                "data": {
                    "label": str(trend.figure.label),
                    "unit": unit,
                    "weeks": [monday.isoformat() for monday in trend.weeks],
                    "values": [round(float(value), 1) for value in trend.values],
                },
            }
        )
    query = urlencode(period.picker())
    maps = [
        {
            **entry,
            # the busiest rows of each table on the page; all of them in its CSV
            "sections": [
                {
                    **section,
                    "rows": section["rows"][:BREAKDOWN_ROWS],
                    "more": section.get("total_rows", len(section["rows"])) - BREAKDOWN_ROWS,
                }
                for section in entry["sections"]
            ],
            "id": f"dash-map-{n}",
            "points_url": "heat/?" + urlencode({"map": entry["map"].key, **period.picker()}),
            "csv_url": "map-csv/?" + urlencode({"map": entry["map"].key}) + "&" + query,
        }
        for n, entry in enumerate(
            dashboard_breakdowns(user=request.user, tenant=tenant, period=period, limit=BREAKDOWN_ROWS)
        )
    ]
    return {"trends": trends, "maps": maps}


def _outlines(tenant) -> dict[str, Any]:
    """The station's outline and its communities' as GeoJSON, drawn under the heat layer: sent with
    the heat points (``DashboardHeatView``), not in the page, which stays light."""
    return feature_collection(
        station=tenant,
        # the outlines as GeoJSON text from PostGIS, not as geometries parsed and written again
        communities=Community.objects.filter(tenant=tenant)
        .defer("boundary")
        .annotate(boundary_geojson=AsGeoJSON("boundary", precision=6)),
        grid_cells=[],
    )


class DashboardView(BureauFiguresMixin, StationViewMixin, View):
    """``/s/<station>/dashboard/``: the period picker and the figures by section (on a bureau: its
    stations side by side, ``tenancy.bureau``)."""

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
        rows = figure_table(user=request.user, tenant=self.tenant, period=period)
        sections: dict[str, dict[str, Any]] = {}
        for row in rows:
            item = {
                **vars(row),
                "value_text": shown(row.value, row.figure.unit),
                "previous_text": shown(row.previous, row.figure.unit),
                "change_text": shown(row.change, row.figure.unit, signed=True),
            }
            item["html"] = _figure_row_html(item)
            sections.setdefault(row.figure.group, {"label": row.group, "rows": []})["rows"].append(item)
        previous, following = period.previous(), self._next(period)
        return render(
            request,
            "tenancy/dashboard.html",
            {
                "period": period,
                "before": previous,
                # in the order of the registry's groups (reports first), whatever each group's figure orders
                "sections": [sections[group] for group in FIGURE_GROUPS if group in sections],
                "picker": self.picker(request.GET, period),
                "previous_url": "?" + urlencode(previous.picker()),
                "next_url": "?" + urlencode(following.picker()) if following else "",
                "csv_url": "csv/?" + urlencode(period.picker()),
                "top": dashboard_top(user=request.user, tenant=self.tenant, period=period),
                **_charts_and_maps(request, self.tenant, period),
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


class DashboardCsvView(DashboardView):
    """The figures table as CSV for Excel (``core.spreadsheets``)."""

    bureau_csv = True

    def get(self, request, *args, **kwargs):
        try:
            period = _period_from_request(request, self.tenant)
        except ValidationError as error:
            return HttpResponse(
                " ".join(error.messages), status=400, content_type="text/plain; charset=utf-8"
            )
        rows = figure_table(user=request.user, tenant=self.tenant, period=period)
        header = [_("Section"), _("Figure"), _("Unit"), period.label, period.previous().label, _("Change")]
        filename = (
            f"{self.tenant.slug}-figures-{period.first_day.isoformat()}-{period.last_day.isoformat()}.csv"
        )
        return csv_download(
            header,
            (
                [
                    row.group,
                    row.figure.label,
                    UNIT_LABELS[row.figure.unit],
                    row.value,
                    row.previous,
                    row.change,
                ]
                for row in rows
            ),
            filename,
        )


class DashboardMapMixin:
    def chosen_map(self, request):
        maps = dashboard_maps_for(user=request.user, tenant=self.tenant)
        key = request.GET.get("map") or (maps[0].key if maps else "")
        for entry in maps:
            if entry.key == key:
                return entry
        raise Http404


class DashboardHeatView(DashboardMapMixin, DashboardView):
    """``dashboard/heat/?map=…&period=…``: a map's heat points as JSON (``{"points": [[lat, lng,
    weight], …], "max": …, "areas": <GeoJSON of the station's and communities' outlines>}``),
    fetched by static/js/portal-heat.js so the page itself stays fast."""

    on_bureau = False

    def get(self, request, *args, **kwargs):
        entry = self.chosen_map(request)
        try:
            period = _period_from_request(request, self.tenant)
        except ValidationError as error:
            return JsonResponse({"detail": " ".join(error.messages)}, status=400)
        points = entry.points(self.tenant, period)
        return JsonResponse(
            {
                "points": points,
                "max": max((weight for _lat, _lng, weight in points), default=0),
                "period": period.label,
                "areas": _outlines(self.tenant),
            }
        )


class DashboardMapCsvView(DashboardMapMixin, DashboardView):
    """A map's breakdown tables as CSV for Excel (``core.spreadsheets``)."""

    on_bureau = False

    def get(self, request, *args, **kwargs):
        entry = self.chosen_map(request)
        try:
            period = _period_from_request(request, self.tenant)
        except ValidationError as error:
            return HttpResponse(
                " ".join(error.messages), status=400, content_type="text/plain; charset=utf-8"
            )
        (shown_map,) = [
            m
            for m in dashboard_breakdowns(user=request.user, tenant=self.tenant, period=period)
            if m["map"].key == entry.key
        ]
        filename = (
            f"{self.tenant.slug}-{entry.key.rsplit('.', 1)[-1].replace('_', '-')}-"
            f"{period.first_day.isoformat()}-{period.last_day.isoformat()}.csv"
        )
        return csv_download(
            [_("Breakdown"), _("Name"), period.label],
            (
                [section["title"], row["label"], row["count"]]
                for section in shown_map["sections"]
                for row in section["rows"]
            ),
            filename,
        )
