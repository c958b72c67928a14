"""Reads of tenancy data."""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.gis.db.models.functions import AsGeoJSON
from django.db.models import Count, Prefetch, QuerySet
from django_scopes import scopes_disabled

from jointdefense.core.periods import Period
from jointdefense.core.registry import (
    FIGURE_GROUPS,
    DashboardMap,
    DeskSection,
    Figure,
    dashboard_maps,
    desk_sections,
    figures,
)

from .models import Community, GridCell, Membership, Tenant
from .roles import has_station_perm


def tenant_by_slug(slug: str) -> Tenant | None:
    return Tenant.objects.filter(slug=slug, is_active=True).select_related("parent").first()


def membership_list_for_user(*, user) -> list[Membership]:
    """Every active station the user belongs to: a cross-tenant read, for the station switcher."""
    if not user.is_authenticated:
        return []
    with scopes_disabled():
        return list(
            Membership.objects.filter(user=user, is_active=True, tenant__is_active=True)
            .select_related("tenant", "tenant__parent")
            .order_by("tenant__name")
        )


def community_list(*, tenant: Tenant):
    """Communities of a station with their number of grid cells (one query)."""
    return (
        Community.objects.filter(tenant=tenant).annotate(grid_cell_count=Count("grid_cells")).order_by("name")
    )


def community_list_with_cells(*, tenant: Tenant):
    """Communities and their grid cells for the station map (two queries, whatever their number).
    Boundaries come as GeoJSON text from PostGIS (``boundary_geojson``), not as geometries."""
    as_text = {"boundary_geojson": AsGeoJSON("boundary", precision=6)}
    return (
        community_list(tenant=tenant)
        .defer("boundary")
        .annotate(**as_text)
        .prefetch_related(
            Prefetch(
                "grid_cells",
                queryset=GridCell.objects.filter(tenant=tenant)
                .defer("boundary")
                .annotate(**as_text)
                .order_by("code"),
            )
        )
    )


def grid_cell_list(*, tenant: Tenant, community: Community | None = None):
    qs = GridCell.objects.filter(tenant=tenant).select_related("community").order_by("code")
    if community is not None:
        qs = qs.filter(community=community)
    return qs


def member_list(*, tenant: Tenant):
    return (
        Membership.objects.filter(tenant=tenant)
        .select_related("user")
        .order_by("user__full_name", "user__username")
    )


def station_list_for_bureau(*, bureau: Tenant) -> list[Tenant]:
    """The stations under a bureau, each with ``community_count``, ``grid_cell_count`` and
    ``member_count`` (four queries, whatever the number of stations). A bureau reads its stations'
    rows, so this opens their scope explicitly."""
    stations = list(Tenant.objects.filter(parent=bureau, is_active=True).order_by("name"))
    ids = [s.pk for s in stations]
    with scopes_disabled():
        counts = {
            key: dict(
                # no ordering: a default ordering by name would group by name too (a count of 1 each)
                model.objects.filter(tenant_id__in=ids)
                .order_by()
                .values_list("tenant_id")
                .annotate(n=Count("pk"))
            )
            for key, model in (
                ("community_count", Community),
                ("grid_cell_count", GridCell),
                ("member_count", Membership),
            )
        }
    for station in stations:
        for key, by_tenant in counts.items():
            setattr(station, key, by_tenant.get(station.pk, 0))
    return stations


# ---- the officer's desk ---------------------------------------------------------------------------

DESK_ROWS = 10  # rows shown per section; the count and the link to the full list give the rest


@dataclass
class DeskPart:
    """One section of the desk as shown: its registration, how many rows wait, the first ones."""

    section: DeskSection
    count: int
    rows: list[Any]
    more_url: str

    @property
    def key(self) -> str:
        return self.section.key


def desk_for(*, tenant: Tenant, user: Any, limit: int = DESK_ROWS) -> list[DeskPart]:
    """The desk sections the apps register (core.registry.desk_sections) that ``user`` may see in
    ``tenant``, in order: two queries each (the count, the first ``limit`` rows)."""
    parts = []
    for section in desk_sections:
        if not has_station_perm(user, tenant, section.permission):
            continue
        items = section.items(tenant, user)
        if isinstance(items, QuerySet):
            count, rows = items.count(), list(items[:limit])
        else:
            rows = list(items)
            count, rows = len(rows), rows[:limit]
        parts.append(DeskPart(section, count, rows, section.more_url(tenant)))
    return parts


# ---- the station's figures --------------------------------------------------------------------------


@dataclass
class FigureRow:
    """One figure for a period against the one before: the values (``None``: nothing to count),
    the change (also as a share of the value before), and the lists behind both values (empty when
    the figure has no list or the user may not open it)."""

    figure: Figure
    group: Any
    value: float | int | None
    previous: float | int | None
    change: float | int | None
    change_share: float | None
    link: str
    previous_link: str


def _number(value: Any) -> float | int | None:
    if value is None:
        return None
    return float(value) if isinstance(value, Decimal | float) else value


def figures_for(*, user: Any, tenant: Tenant) -> list[Figure]:
    """The registered figures ``user`` may see in ``tenant``, in the dashboard's order."""
    return [figure for figure in figures if has_station_perm(user, tenant, figure.permission)]


def figure_table(*, user: Any, tenant: Tenant, period: Period) -> list[FigureRow]:
    """Each figure ``user`` may see, for ``period`` and the period before: the one table the
    dashboard, its CSV and the API show (one selector per figure and period, each computed by the
    database)."""
    before = period.previous()
    rows = []
    for figure in figures_for(user=user, tenant=tenant):
        linked = figure.link is not None and (
            not figure.link_permission or has_station_perm(user, tenant, figure.link_permission)
        )
        value = _number(figure.compute(tenant, period))
        previous = _number(figure.compute(tenant, before))
        change = None if value is None or previous is None else value - previous
        rows.append(
            FigureRow(
                figure=figure,
                group=FIGURE_GROUPS[figure.group],
                value=value,
                previous=previous,
                change=change,
                change_share=(change / previous * 100 if change is not None and previous else None),
                link=figure.link(tenant, period) if linked and figure.link else "",
                previous_link=figure.link(tenant, before) if linked and figure.link else "",
            )
        )
    return rows


# ---- the dashboard's trend charts and maps ---------------------------------------------------------


def period_weeks(period: Period, today: datetime.date | None = None) -> list[datetime.date]:
    """The Mondays of every week the period touches, in order (a month starting on a Wednesday
    begins with that week's Monday), up to the week holding ``today`` when given (weeks still to
    come have nothing to show)."""
    monday = period.first_day - datetime.timedelta(days=period.first_day.weekday())
    last = min(period.last_day, today) if today else period.last_day
    weeks = []
    while monday <= last:
        weeks.append(monday)
        monday += datetime.timedelta(days=7)
    return weeks


@dataclass
class Trend:
    """A figure week by week over a period: ``weeks`` (Mondays) and one value each, 0 for a week
    with nothing."""

    figure: Figure
    weeks: list[datetime.date]
    values: list[float | int]


def figure_trends(
    *, user: Any, tenant: Tenant, period: Period, today: datetime.date | None = None
) -> list[Trend]:
    """The weekly trend of each figure ``user`` may see that has a ``series`` (one grouped query
    each), every week of the period present (up to the week holding ``today``)."""
    weeks = period_weeks(period, today)
    trends = []
    for figure in figures_for(user=user, tenant=tenant):
        if figure.series is None:
            continue
        by_week = figure.series(tenant, period)
        values = [_number(by_week.get(monday)) or 0 for monday in weeks]
        trends.append(Trend(figure=figure, weeks=weeks, values=values))
    return trends


def dashboard_maps_for(*, user: Any, tenant: Tenant) -> list[DashboardMap]:
    """The registered dashboard maps ``user`` may see in ``tenant``."""
    return [entry for entry in dashboard_maps if has_station_perm(user, tenant, entry.permission)]


def dashboard_breakdowns(*, user: Any, tenant: Tenant, period: Period) -> list[dict[str, Any]]:
    """Each map ``user`` may see with its breakdown tables for ``period`` (the rows' links only for
    those who may open the list)."""
    shown = []
    for entry in dashboard_maps_for(user=user, tenant=tenant):
        linked = not entry.link_permission or has_station_perm(user, tenant, entry.link_permission)
        sections = entry.breakdown(tenant, period)
        if not linked:
            sections = [{**s, "rows": [{**row, "url": ""} for row in s["rows"]]} for s in sections]
        shown.append({"map": entry, "sections": sections})
    return shown
