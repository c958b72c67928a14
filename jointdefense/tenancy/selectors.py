"""Reads of tenancy data."""

import datetime
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from django.contrib.gis.db.models.functions import AsGeoJSON
from django.core.exceptions import ValidationError
from django.db.models import Count, F, Prefetch, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from jointdefense.core import rollups
from jointdefense.core.numbers import shown
from jointdefense.core.periods import Period
from jointdefense.core.registry import (
    FIGURE_GROUPS,
    RANKED_SUBJECTS,
    DashboardMap,
    DeskSection,
    Figure,
    SummarySection,
    TeamMeasure,
    dashboard_maps,
    desk_sections,
    figures,
    summary_sections,
    team_measures,
)

from .models import Community, GridCell, Membership, StationSummary, Tenant
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


def membership_count_for_user(*, user, at_most: int | None = None) -> int:
    """How many active stations the user belongs to (counted up to ``at_most`` when given)."""
    if not user.is_authenticated:
        return 0
    with scopes_disabled():
        ids = Membership.objects.filter(user=user, is_active=True, tenant__is_active=True).values_list(
            "pk", flat=True
        )
        return len(ids[:at_most]) if at_most is not None else ids.count()


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
    return _figure_rows(
        tenant,
        period,
        figures_for(user=user, tenant=tenant),
        lambda figure: not figure.link_permission or has_station_perm(user, tenant, figure.link_permission),
    )


def station_figure_table(
    *, tenant: Tenant, period: Period, known_before: dict[str, Any] | None = None
) -> list[FigureRow]:
    """Every registered figure of ``tenant`` for ``period`` and the period before, read for no one
    in particular (the weekly summary, which stores the numbers): no permission checked, so its
    caller decides who reads it; no links (the lists behind them are the reader's to open).
    ``known_before`` gives values of the period before already known (figure key → value, as the
    week before's summary stored them): those figures are computed for ``period`` only."""
    return _figure_rows(tenant, period, list(figures), lambda figure: False, known_before or {})


def _figure_rows(
    tenant: Tenant, period: Period, chosen: list[Figure], may_link, known_before: dict[str, Any] | None = None
) -> list[FigureRow]:
    before = period.previous()
    known_before = known_before or {}
    rows = []
    # the figures that read rollups answer from one query of every series over both periods
    needed = [period] if all(figure.key in known_before for figure in chosen) else [period, before]
    with rollups.prefetched([tenant], needed):
        for figure in chosen:
            rows.append(_figure_row(tenant, period, before, figure, may_link, known_before))
    return rows


def _figure_row(
    tenant: Tenant, period: Period, before: Period, figure: Figure, may_link, known_before: dict[str, Any]
) -> FigureRow:
    linked = figure.link is not None and may_link(figure)
    value = _number(figure.compute(tenant, period))
    if figure.key in known_before:
        previous = _number(known_before[figure.key])
    else:
        previous = _number(figure.compute(tenant, before))
    change = None if value is None or previous is None else value - previous
    return FigureRow(
        figure=figure,
        group=FIGURE_GROUPS[figure.group],
        value=value,
        previous=previous,
        change=change,
        change_share=(change / previous * 100 if change is not None and previous else None),
        link=figure.link(tenant, period) if linked and figure.link else "",
        previous_link=figure.link(tenant, before) if linked and figure.link else "",
    )


# ---- the weekly station summary ---------------------------------------------------------------------

SUMMARY_ROWS = 50  # rows kept per section; the count gives the rest


@dataclass
class SummaryPart:
    """One section of a weekly summary as built: its registration, how many rows it has, and the
    first ones as JSON-serialisable dicts."""

    section: SummarySection
    count: int
    rows: list[dict[str, Any]]


def summary_parts(*, tenant: Tenant, as_of: Any, limit: int = SUMMARY_ROWS) -> list[SummaryPart]:
    """The sections the apps register (core.registry.summary_sections) for ``tenant`` as things
    stood at ``as_of``: one query each, whatever the rows."""
    return summary_parts_of(stations=[(tenant, as_of)], limit=limit)[tenant.pk]


def summary_parts_of(
    *, stations: list[tuple[Tenant, Any]], limit: int = SUMMARY_ROWS
) -> dict[int, list[SummaryPart]]:
    """``summary_parts`` of a batch of (station, as_of): station id → its parts. One query per
    section and distinct ``as_of`` (the stations of one time zone share it), whatever the stations
    and rows: each station's first ``limit`` rows in the section's order, each carrying the count
    of all of them (``ROW_NUMBER()`` and ``COUNT(*)`` over the station's rows)."""
    tenants: dict[int, Tenant] = {tenant.pk: tenant for tenant, _as_of in stations}
    by_as_of: dict[Any, list[int]] = {}
    for tenant, as_of in stations:
        by_as_of.setdefault(as_of, []).append(tenant.pk)
    parts: dict[int, list[SummaryPart]] = {pk: [] for pk in tenants}
    for section in summary_sections:
        found: dict[int, list[Any]] = {pk: [] for pk in tenants}
        counts: dict[int, int] = {}
        for as_of, ids in by_as_of.items():
            items = section.items(ids, as_of)
            ranked = items.annotate(
                summary_place=Window(
                    RowNumber(), partition_by=[F("tenant_id")], order_by=list(items.query.order_by)
                ),
                summary_total=Window(Count("pk"), partition_by=[F("tenant_id")]),
            ).filter(summary_place__lte=limit)
            for item in ranked:
                found[item.tenant_id].append(item)
                counts[item.tenant_id] = item.summary_total
        for pk, items in found.items():
            tenant = tenants[pk]
            parts[pk].append(
                SummaryPart(section, counts.get(pk, 0), [section.row(item, tenant) for item in items])
            )
    return parts


def summary_list(*, tenant: Tenant) -> QuerySet[StationSummary]:
    """The archive of weekly summaries, the newest first: a station's own, or for a bureau those
    of its stations (their scope is open in a bureau). The stored content is left out."""
    if tenant.is_bureau:
        summaries = StationSummary.objects.filter(tenant__parent=tenant, tenant__is_active=True)
    else:
        summaries = StationSummary.objects.filter(tenant=tenant)
    return summaries.select_related("tenant").defer("content").order_by("-week_start", "tenant__name")


def summary_figures_of_week(*, tenant: Tenant, week_start: Any) -> dict[str, Any]:
    """Figure key → value as the station's summary of that week stored it ({} without one): only
    the numbers are read out of the stored content (one query)."""
    stored = (
        StationSummary.objects.filter(tenant=tenant, week_start=week_start)
        .values_list("content__figures", flat=True)
        .first()
    )
    return {key: figure.get("value") for key, figure in (stored or {}).items() if "value" in figure}


def summary_figures_of_weeks(*, weeks: list[tuple[Tenant, Any]]) -> dict[int, dict[str, Any]]:
    """``summary_figures_of_week`` of several stations at once (one query): station id → figure
    key → value, for each (station, week's Monday) with a stored summary."""
    wanted = {(tenant.pk, week) for tenant, week in weeks}
    rows = StationSummary.objects.filter(
        tenant_id__in={pk for pk, _week in wanted}, week_start__in={week for _pk, week in wanted}
    ).values_list("tenant_id", "week_start", "content__figures")
    return {
        tenant_id: {key: figure.get("value") for key, figure in (stored or {}).items() if "value" in figure}
        for tenant_id, week, stored in rows
        if (tenant_id, week) in wanted
    }


def summary_for_week(*, tenant: Tenant, week_start: Any) -> StationSummary | None:
    """The station's summary of the week starting on ``week_start`` (a Monday), or None."""
    if tenant.is_bureau:
        return None
    return (
        StationSummary.objects.filter(tenant=tenant, week_start=week_start).select_related("tenant").first()
    )


# ---- the bureau's side by side and the rankings ---------------------------------------------------

# units a bureau's total is the sum of its stations' values; a share or a median is not
SUMMED_UNITS = ("count", "hours")
SORT_ORDERS = ("asc", "desc")
RANKED = 10  # places of a ranking (more rows when teams tie at the last place)


def station_period(period: Period, station: Tenant) -> Period:
    """The same days in the station's own time zone (a bureau's stations may lie in another)."""
    return replace(period, tz=station.zoneinfo)


@dataclass
class StationFigures:
    """One station's line of the bureau's side by side: its figure rows by figure key."""

    station: Tenant
    rows: dict[str, FigureRow]

    def value(self, key: str) -> float | int | None:
        row = self.rows.get(key)
        return row.value if row else None


@dataclass
class FigureTotal:
    """The bureau's total of one figure over its stations, or ``None`` with the reason."""

    figure: Figure
    value: float | int | None
    previous: float | int | None
    change: float | int | None
    note: str = ""


@dataclass
class SideBySide:
    figures: list[Figure]
    stations: list[StationFigures]
    totals: list[FigureTotal]


def _sum(values: list[Any]) -> float | int | None:
    known = [v for v in values if v is not None]
    return sum(known) if known else None


def figure_total(figure: Figure, lines: list[StationFigures], period: Period | None = None) -> FigureTotal:
    """The bureau's total of a figure: the sum of its stations' (a count, hours, points); of a
    share or a time, the figure of all the stations as one (``Figure.pooled``: the share of their
    summed counts, the percentile of their summed histogram), when it has one and ``period`` is
    given. Only the stations the viewer sees the figure of are in it."""
    if figure.unit not in SUMMED_UNITS:
        stations = [line.station.pk for line in lines if figure.key in line.rows]
        if not figure.pooled or period is None or not stations:
            return FigureTotal(figure, None, None, None, _("Not summed: a share or a time is not a sum."))
        value = _number(figure.compute(stations, period))
        previous = _number(figure.compute(stations, period.previous()))
    else:
        value = _sum([line.value(figure.key) for line in lines])
        previous = _sum([line.rows[figure.key].previous for line in lines if figure.key in line.rows])
    change = None if value is None or previous is None else value - previous
    return FigureTotal(figure, value, previous, change)


def _sort_key(value: Any, name: str, descending: bool) -> tuple[Any, ...]:
    # stations without a value come last, either way
    if value is None:
        return (1, 0, name)
    return (0, -value if descending else value, name)


def side_by_side(
    *, user: Any, bureau: Tenant, period: Period, sort: str = "", order: str = "asc"
) -> SideBySide:
    """The figures ``user`` may see for each of the bureau's stations (``figure_table`` of each, in
    its own time zone) with the bureau's totals, sorted by a figure's key (or by name). Raises
    ValidationError on an unknown sort or order."""
    columns = figures_for(user=user, tenant=bureau)
    if sort and sort != "name" and sort not in {f.key for f in columns}:
        raise ValidationError(_("Choose a figure of the table to sort by."), code="sort")
    if order not in SORT_ORDERS:
        raise ValidationError(_("Sort in ascending or descending order."), code="order")
    stations = list(Tenant.objects.filter(parent=bureau, is_active=True).order_by("name"))
    # the rollups of every station over both periods in one query (a period is the same days in
    # each station's time zone, and the rollups are kept by local day)
    with rollups.prefetched(stations, [period, period.previous()]):
        lines = [
            StationFigures(
                station,
                {
                    row.figure.key: row
                    for row in figure_table(user=user, tenant=station, period=station_period(period, station))
                },
            )
            for station in stations
        ]
        # the pooled totals read the same rollups, summed over the stations: no query
        totals = [figure_total(figure, lines, period) for figure in columns]
    descending = order == "desc"
    if sort and sort != "name":
        lines.sort(key=lambda line: _sort_key(line.value(sort), line.station.name, descending))
    elif descending:
        lines.reverse()
    return SideBySide(columns, lines, totals)


@dataclass
class RankRow:
    """One place of a ranking: its rank (tied values share it: 1, 2, 2, 4), who, in which
    station, the value and the page behind (empty when the user may not open it)."""

    rank: int
    id: int
    name: str
    station: Tenant
    value: float | int | None
    link: str = ""
    unit: str = "count"

    @property
    def value_text(self) -> str:
        return shown(self.value, self.unit)


class Ranking(list[RankRow]):
    """The places of a ranking, and how many more rows share the last place shown
    (``more_tied``: a ranking of thousands of volunteers with the same points shows a few of
    them and says how many more there are)."""

    more_tied: int = 0

    @property
    def last_rank(self) -> int:
        return self[-1].rank if self else 0


def ranked(rows: list[RankRow], *, order: str = "desc", limit: int = RANKED) -> Ranking:
    """The rows with a value, best first (the highest, or the lowest with ``order="asc"``), each
    given its rank; the first ``limit`` places, and the rows tied with the last of them up to
    ``limit`` more (the rest counted in ``more_tied``)."""
    descending = order == "desc"
    rows = sorted(
        (row for row in rows if row.value is not None),
        key=lambda row: _sort_key(row.value, row.name, descending),
    )
    placed = Ranking()
    for index, row in enumerate(rows):
        row.rank = placed[-1].rank if placed and placed[-1].value == row.value else index + 1
        if row.rank > limit:
            break
        if len(placed) >= 2 * limit:  # only ties of the last place shown are left
            placed.more_tied = sum(1 for later in rows[index:] if later.value == placed[-1].value)
            break
        placed.append(row)
    return placed


def station_ranking(
    *, user: Any, bureau: Tenant, figure: Figure, period: Period, order: str = "desc", limit: int = RANKED
) -> list[RankRow]:
    """The bureau's stations ranked on one figure (one selector per station, in its time zone)."""
    rows = []
    for station in Tenant.objects.filter(parent=bureau, is_active=True).order_by("name"):
        if not has_station_perm(user, station, figure.permission):
            continue
        own = station_period(period, station)
        linked = figure.link is not None and (
            not figure.link_permission or has_station_perm(user, station, figure.link_permission)
        )
        rows.append(
            RankRow(
                0,
                station.pk,
                station.name,
                station,
                _number(figure.compute(station, own)),
                figure.link(station, own) if linked and figure.link else "",
                figure.unit,
            )
        )
    return ranked(rows, order=order, limit=limit)


def measures_for(*, user: Any, tenant: Tenant, subject: str | None = None) -> list[TeamMeasure]:
    """The registered team measures ``user`` may see in ``tenant`` (of one subject, when given)."""
    return [
        measure
        for measure in team_measures
        if (subject is None or measure.subject == subject)
        and has_station_perm(user, tenant, measure.permission)
    ]


def team_ranking(
    *,
    user: Any,
    tenant: Tenant,
    measure: TeamMeasure,
    period: Period,
    station: Tenant | None = None,
    order: str = "desc",
    limit: int = RANKED,
) -> list[RankRow]:
    """Teams (or volunteers) ranked on a measure: a station's own, or on a bureau across its
    stations (``station``: one of them only). One grouped query (the measure's selector)."""
    if tenant.is_bureau and station is None:
        stations = {s.pk: s for s in Tenant.objects.filter(parent=tenant, is_active=True)}
    else:
        stations = {(station or tenant).pk: station or tenant}
        period = station_period(period, station or tenant)
    rows = [
        RankRow(0, entry.id, entry.name, stations[entry.tenant_id], _number(entry.value), "", measure.unit)
        for entry in (
            measure.compute(list(stations), period, top=2 * limit, order=order)
            if measure.takes_top
            else measure.compute(list(stations), period)
        )
    ]
    # the links of the places only (a station's volunteers may be thousands), one permission
    # check per station
    placed = ranked(rows, order=order, limit=limit)
    may_link: dict[int, bool] = {}
    for row in placed:
        if measure.link is None:
            break
        if row.station.pk not in may_link:
            may_link[row.station.pk] = not measure.link_permission or has_station_perm(
                user, row.station, measure.link_permission
            )
        if may_link[row.station.pk]:
            row.link = measure.link(row.station, row.id)
    return placed


TOP = 5  # places of each of the dashboard's top teams and volunteers


def dashboard_top(
    *, user: Any, tenant: Tenant, period: Period, limit: int = TOP
) -> list[tuple[TeamMeasure, list[RankRow]]]:
    """The chief's dashboard's top teams and volunteers: each measure registered ``on_dashboard``
    (teams first), its first ``limit`` places in the station for the period."""
    measures = sorted(
        (m for m in measures_for(user=user, tenant=tenant) if m.on_dashboard),
        key=lambda m: (list(RANKED_SUBJECTS).index(m.subject), m.order, m.key),
    )
    return [
        (m, team_ranking(user=user, tenant=tenant, measure=m, period=period, limit=limit)) for m in measures
    ]


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
    for them all), every week of the period present (up to the week holding ``today``)."""
    weeks = period_weeks(period, today)
    charted = [figure for figure in figures_for(user=user, tenant=tenant) if figure.series is not None]
    # every series' weeks in one query (each series is a ``rollups.weekly``)
    series = rollups.batched_weekly(lambda: [figure.series(tenant, period) for figure in charted])
    trends = []
    for figure, by_week in zip(charted, series, strict=True):
        values = [_number(by_week.get(monday)) or 0 for monday in weeks]
        trends.append(Trend(figure=figure, weeks=weeks, values=values))
    return trends


def dashboard_maps_for(*, user: Any, tenant: Tenant) -> list[DashboardMap]:
    """The registered dashboard maps ``user`` may see in ``tenant``."""
    return [entry for entry in dashboard_maps if has_station_perm(user, tenant, entry.permission)]


def dashboard_breakdowns(
    *, user: Any, tenant: Tenant, period: Period, limit: int | None = None
) -> list[dict[str, Any]]:
    """Each map ``user`` may see with its breakdown tables for ``period`` (the busiest ``limit``
    rows of each when given; the rows' links only for those who may open the list)."""
    shown = []
    for entry in dashboard_maps_for(user=user, tenant=tenant):
        linked = not entry.link_permission or has_station_perm(user, tenant, entry.link_permission)
        sections = (
            entry.breakdown(tenant, period) if limit is None else entry.breakdown(tenant, period, limit=limit)
        )
        if not linked:
            sections = [{**s, "rows": [{**row, "url": ""} for row in s["rows"]]} for s in sections]
        shown.append({"map": entry, "sections": sections})
    return shown
