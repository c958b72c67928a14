"""Rankings (``/s/<station>/rankings/``): on a bureau, its stations ranked on a chosen figure
(``core.registry.figures``) and teams (or volunteers) across its stations or in one, on a chosen
measure (``core.registry.team_measures``); on a station, its own teams and volunteers. The field
reports' "inspection, assessment and ranking" of group-defense teams. Top ten, ties sharing a
rank; each table as CSV. ``rankings_from_query`` reads the choices for the page and the API."""

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views import View

from jointdefense.core.numbers import UNIT_LABELS
from jointdefense.core.periods import Period, period_from_query
from jointdefense.core.registry import RANKED_SUBJECTS, Figure, TeamMeasure
from jointdefense.core.spreadsheets import csv_download

from .dashboard import DashboardView
from .models import Tenant
from .selectors import (
    SORT_ORDERS,
    RankRow,
    figures_for,
    measures_for,
    station_ranking,
    team_ranking,
)
from .views import StationViewMixin


@dataclass
class Rankings:
    period: Period
    order: str
    measures: list[TeamMeasure]
    measure: TeamMeasure | None
    teams: list[RankRow]
    figures: list[Figure] = field(default_factory=list)
    figure: Figure | None = None
    stations: list[RankRow] = field(default_factory=list)
    station_choices: list[Tenant] = field(default_factory=list)
    station: Tenant | None = None


def _chosen(query, name: str, entries: list[Any], message: str) -> Any:
    key = query.get(name) or ""
    if not key:
        return entries[0] if entries else None
    for entry in entries:
        if entry.key == key:
            return entry
    raise ValidationError(message, code=name)


def rankings_from_query(query, *, user, tenant: Tenant) -> Rankings:
    """The rankings a query string asks for (``period``/``date`` or ``start``/``end`` as on the
    dashboard, ``figure``, ``measure``, ``station``, ``order``); ValidationError with a translated
    message on bad input."""
    period = period_from_query(query, tenant.zoneinfo, timezone.localdate())
    order = query.get("order") or "desc"
    if order not in SORT_ORDERS:
        raise ValidationError(_("Sort in ascending or descending order."), code="order")
    measures = measures_for(user=user, tenant=tenant)
    measure = _chosen(query, "measure", measures, _("Choose a measure from the list."))
    result = Rankings(period=period, order=order, measures=measures, measure=measure, teams=[])
    station = None
    if tenant.is_bureau:
        result.station_choices = list(Tenant.objects.filter(parent=tenant, is_active=True).order_by("name"))
        slug = query.get("station") or ""
        if slug:
            station = next((s for s in result.station_choices if s.slug == slug), None)
            if station is None:
                raise ValidationError(_("Choose one of the bureau's stations."), code="station")
        result.station = station
        result.figures = figures_for(user=user, tenant=tenant)
        result.figure = _chosen(query, "figure", result.figures, _("Choose a figure from the list."))
        if result.figure is not None:
            result.stations = station_ranking(
                user=user, bureau=tenant, figure=result.figure, period=period, order=order
            )
    if measure is not None:
        result.teams = team_ranking(
            user=user, tenant=tenant, measure=measure, period=period, station=station, order=order
        )
    return result


class RankingsView(StationViewMixin, View):
    permission_required = "station.view_dashboard"
    template_name = "tenancy/rankings.html"

    def get(self, request, *args, **kwargs):
        try:
            rankings = rankings_from_query(request.GET, user=request.user, tenant=self.tenant)
        except ValidationError as error:
            return render(
                request,
                self.template_name,
                {"error": " ".join(error.messages), "picker": _picker(request.GET, None)},
                status=400,
            )
        return render(request, self.template_name, self.context(request, rankings))

    def context(self, request, rankings: Rankings) -> dict[str, Any]:
        query = {k: v for k, v in request.GET.items() if k in ("figure", "measure", "station", "order")}
        keep = {**rankings.period.picker(), **query}
        period_query = urlencode(rankings.period.picker())
        measure, figure = rankings.measure, rankings.figure
        return {
            "rankings": rankings,
            "period": rankings.period,
            "picker": _picker(request.GET, rankings.period),
            "measure_groups": [
                (label, [m for m in rankings.measures if m.subject == subject])
                for subject, label in RANKED_SUBJECTS.items()
            ],
            "team_rows": rankings.teams,
            "station_rows": [
                (row, reverse("tenancy:dashboard", kwargs={"station": row.station.slug}) + "?" + period_query)
                for row in rankings.stations
            ],
            "subject_label": RANKED_SUBJECTS[measure.subject] if measure else "",
            "measure_unit": UNIT_LABELS[measure.unit] if measure else "",
            "figure_unit": UNIT_LABELS[figure.unit] if figure else "",
            "teams_csv_url": "csv/?" + urlencode({**keep, "table": "teams"}),
            "stations_csv_url": "csv/?" + urlencode({**keep, "table": "stations"}),
            "dashboard_url": reverse("tenancy:dashboard", kwargs={"station": self.tenant.slug})
            + "?"
            + urlencode(rankings.period.picker()),
        }


def _picker(query, period: Period | None) -> dict[str, Any]:
    return DashboardView.picker(query, period)  # the dashboard's picker: the same parameters


class RankingsCsvView(RankingsView):
    """One of the rankings (``?table=teams|stations``) as CSV for Excel."""

    def get(self, request, *args, **kwargs):
        try:
            rankings = rankings_from_query(request.GET, user=request.user, tenant=self.tenant)
        except ValidationError as error:
            return HttpResponse(
                " ".join(error.messages), status=400, content_type="text/plain; charset=utf-8"
            )
        period = rankings.period
        table = request.GET.get("table") or "teams"
        if table == "stations" and rankings.figure is not None:
            label, unit, rows = rankings.figure.label, rankings.figure.unit, rankings.stations
            header = [_("Rank"), _("Station"), f"{label} ({UNIT_LABELS[unit]})"]
            lines = [[row.rank, row.name, row.value] for row in rows]
        elif table == "teams" and rankings.measure is not None:
            measure = rankings.measure
            header = [
                _("Rank"),
                RANKED_SUBJECTS[measure.subject],
                _("Station"),
                f"{measure.label} ({UNIT_LABELS[measure.unit]})",
            ]
            lines = [[row.rank, row.name, row.station.name, row.value] for row in rankings.teams]
        else:
            return HttpResponse(
                _("Choose the teams' or the stations' ranking."),
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        days = f"{period.first_day.isoformat()}-{period.last_day.isoformat()}"
        filename = f"{self.tenant.slug}-ranking-{table}-{days}.csv"
        return csv_download(header, lines, filename)
