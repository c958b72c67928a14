"""Reads of patrol planning: routes, schedules, the coverage week, the volunteers' shift board and
the hot spots. Every list is a fixed number of queries, whatever its length."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from incidents.models import Report
from jointdefense.tenancy.geo import feature_collection, geojson_geometry
from jointdefense.tenancy.models import Community, Tenant
from teams.models import Team

from ..models import Checkpoint, Route, Schedule, ScheduleTeam, Shift, Signup

HOTSPOT_METRES = 300
HOTSPOT_DAYS = 30


def signed_up_count() -> Coalesce:
    """Annotation: a shift's active (not withdrawn) sign-ups. A correlated subquery on
    (tenant, shift), so that it uses the sign-ups' tenant-led unique index for each shift shown
    instead of joining every sign-up of the station."""
    active = (
        Signup.objects.filter(tenant=OuterRef("tenant"), shift=OuterRef("pk"), withdrawn_at__isnull=True)
        .order_by()
        .values("shift")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(active, output_field=IntegerField()), 0)


def route_list(*, tenant: Tenant) -> QuerySet[Route]:
    return (
        Route.objects.filter(tenant=tenant)
        .select_related("community")
        .annotate(checkpoint_count=Count("checkpoints", filter=Q(checkpoints__is_active=True)))
        .order_by("tier", "name")
    )


def route_schedules(*, route: Route) -> QuerySet[Schedule]:
    """The schedules of one route, by name."""
    return Schedule.objects.filter(tenant=route.tenant_id, route=route).order_by("name")


def active_routes(*, tenant: Tenant) -> QuerySet[Route]:
    return Route.objects.filter(tenant=tenant, is_active=True)


def checkpoint_list(*, route: Route) -> QuerySet[Checkpoint]:
    return Checkpoint.objects.filter(tenant=route.tenant_id, route=route).order_by("position")


def schedule_list(*, tenant: Tenant) -> QuerySet[Schedule]:
    return (
        Schedule.objects.filter(tenant=tenant)
        .select_related("route", "team")
        .prefetch_related(
            Prefetch(
                "rotation",
                queryset=ScheduleTeam.objects.filter(tenant=tenant)
                .select_related("team")
                .order_by("position"),
            )
        )
        .order_by("-is_active", "name")
    )


def shift_list(*, tenant: Tenant) -> QuerySet[Shift]:
    """Shifts with their route, team and the number of people on them (one query)."""
    return (
        Shift.objects.filter(tenant=tenant)
        .select_related("route", "team", "schedule")
        .annotate(signed_up=signed_up_count())
    )


def week_start_of(day: datetime.date) -> datetime.date:
    """The Monday of ``day``'s week."""
    return day - datetime.timedelta(days=day.weekday())


def coverage_shifts(
    *,
    tenant: Tenant,
    team_ids: Iterable[int] | None = None,
    tier: str | None = None,
    route: Route | None = None,
    team: Team | None = None,
) -> QuerySet[Shift]:
    """The shifts of the coverage page: of the teams ``team_ids`` only (a team leader's) when
    given, narrowed by tier, route and team when given."""
    shifts = shift_list(tenant=tenant)
    if team_ids is not None:
        shifts = shifts.filter(team__in=team_ids)
    if tier:
        shifts = shifts.filter(route__tier=tier)
    if route:
        shifts = shifts.filter(route=route)
    if team:
        shifts = shifts.filter(team=team)
    return shifts


def local_day_bounds(
    tenant: Tenant, day: datetime.date, days: int = 1
) -> tuple[datetime.datetime, datetime.datetime]:
    tz = tenant.zoneinfo
    start = datetime.datetime.combine(day, datetime.time(0), tzinfo=tz)
    end = datetime.datetime.combine(day + datetime.timedelta(days=days), datetime.time(0), tzinfo=tz)
    return start, end


@dataclass
class CoverageRow:
    route: Route
    days: list[list[Shift]] = field(default_factory=list)  # one list of shifts per day of the week


@dataclass
class CoverageWeek:
    days: list[datetime.date]
    rows: list[CoverageRow]
    needed: int = 0
    signed_up: int = 0
    gaps: int = 0


def coverage_week(
    *, tenant: Tenant, week_start: datetime.date, shifts: QuerySet[Shift] | None = None
) -> CoverageWeek:
    """The week from ``week_start`` (local days) as a grid: a row per route, a cell per day with
    its shifts (signed up vs needed). ``shifts``: an already filtered ``shift_list`` queryset."""
    start, end = local_day_bounds(tenant, week_start, 7)
    qs = shifts if shifts is not None else shift_list(tenant=tenant)
    qs = qs.filter(starts_at__gte=start, starts_at__lt=end, is_cancelled=False).order_by(
        "route__tier", "route__name", "starts_at"
    )
    days = [week_start + datetime.timedelta(days=n) for n in range(7)]
    rows: dict[int, CoverageRow] = {}
    week = CoverageWeek(days=days, rows=[])
    tz = tenant.zoneinfo
    shown: list[Any] = list(qs)  # each shift gets its local times and ``.is_gap``
    for shift in shown:
        row = rows.get(shift.route_id)
        if row is None:
            row = rows[shift.route_id] = CoverageRow(route=shift.route, days=[[] for _ in days])
            week.rows.append(row)
        shift.local_start = shift.starts_at.astimezone(tz)
        shift.local_end = shift.ends_at.astimezone(tz)
        shift.is_gap = shift.signed_up < shift.headcount
        row.days[(shift.local_start.date() - week_start).days].append(shift)
        week.needed += shift.headcount
        week.signed_up += min(shift.signed_up, shift.headcount)
        week.gaps += int(shift.is_gap)
    return week


# ---- hot spots ---------------------------------------------------------------------------------------


@dataclass
class HotSpot:
    route_id: int
    route_name: str
    tier: str
    weekday: int  # ISO: 1 = Monday
    hour: int
    count: int
    covered: bool = False
    next_day: datetime.date | None = None  # the next date of its weekday (hotspots_with_cover)


HOTSPOT_SQL = """
SELECT r.id, r.name, r.tier,
       extract(isodow FROM rep.created_at AT TIME ZONE %(tz)s)::int AS weekday,
       extract(hour FROM rep.created_at AT TIME ZONE %(tz)s)::int AS hour,
       count(*) AS n
FROM patrols_route r
JOIN incidents_report rep
  ON rep.tenant_id = r.tenant_id
 AND ST_DWithin(rep.location::geography, r.path::geography, %(metres)s)
WHERE r.tenant_id = %(tenant)s
  AND r.is_active
  AND rep.created_at >= %(since)s
  AND rep.status <> %(rejected)s
GROUP BY r.id, r.name, r.tier, weekday, hour
ORDER BY n DESC, r.name, weekday, hour
LIMIT %(limit)s
"""


def hotspots(
    *,
    tenant: Tenant,
    metres: int = HOTSPOT_METRES,
    days: int = HOTSPOT_DAYS,
    limit: int = 100,
    now: datetime.datetime | None = None,
) -> list[HotSpot]:
    """For each route and hour of the week (station time), the reports within ``metres`` of the
    route in the last ``days`` days, most first. One query (PostGIS geography distance in metres)."""
    now = now or timezone.now()
    params: dict[str, Any] = {
        "tz": tenant.time_zone,
        "metres": float(metres),
        "tenant": tenant.pk,
        "since": now - datetime.timedelta(days=days),
        "rejected": Report.Status.REJECTED,
        "limit": limit,
    }
    with connection.cursor() as cursor:
        cursor.execute(HOTSPOT_SQL, params)
        return [HotSpot(*row) for row in cursor.fetchall()]


def covered_hours(
    *, tenant: Tenant, route_ids: Iterable[int], days: int = 7, now: datetime.datetime | None = None
) -> set[tuple[int, int, int]]:
    """(route id, ISO weekday, hour) of the station's week that upcoming shifts cover (one query)."""
    now = now or timezone.now()
    tz = tenant.zoneinfo
    covered = set()
    shifts = Shift.objects.filter(
        tenant=tenant,
        route_id__in=list(route_ids),
        is_cancelled=False,
        ends_at__gt=now,
        starts_at__lt=now + datetime.timedelta(days=days),
    ).values_list("route_id", "starts_at", "ends_at")
    for route_id, starts_at, ends_at in shifts:
        hour = starts_at.replace(minute=0, second=0, microsecond=0)  # stepped in UTC, read locally
        while hour < ends_at:
            local = hour.astimezone(tz)
            covered.add((route_id, local.isoweekday(), local.hour))
            hour += datetime.timedelta(hours=1)
    return covered


def hotspots_with_cover(
    *,
    tenant: Tenant,
    metres: int = HOTSPOT_METRES,
    today: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> list[HotSpot]:
    """The hot spots (:func:`hotspots`), each with ``.covered`` (an upcoming shift covers that hour
    of the week) and ``.next_day`` (the next date of its weekday after ``today``). Two queries."""
    today = today or timezone.localdate()
    spots = hotspots(tenant=tenant, metres=metres, now=now)
    covered = covered_hours(tenant=tenant, route_ids={s.route_id for s in spots}, now=now)
    for spot in spots:
        spot.covered = (spot.route_id, spot.weekday, spot.hour) in covered
        spot.next_day = today + datetime.timedelta(days=(spot.weekday - today.isoweekday()) % 7 or 7)
    return spots


def recent_report_points(
    *, tenant: Tenant, days: int = HOTSPOT_DAYS, now: datetime.datetime | None = None
) -> list[tuple[float, float, int]]:
    """Recent reports grouped by their public (~100 m) location: [(lat, lng, count)] (one query)."""
    now = now or timezone.now()
    rows = (
        Report.objects.filter(tenant=tenant, created_at__gte=now - datetime.timedelta(days=days))
        .exclude(status=Report.Status.REJECTED)
        .values("public_location")
        .annotate(n=Count("pk"))
        .order_by("-n")[:500]
    )
    return [(r["public_location"].y, r["public_location"].x, r["n"]) for r in rows]


# ---- the API's lists -----------------------------------------------------------------------------------


def station_checkpoints(*, tenant: Tenant) -> QuerySet[Checkpoint]:
    """Every checkpoint of the station, route by route in order."""
    return Checkpoint.objects.filter(tenant=tenant).order_by("route_id", "position")


def schedules_with_rotation(*, tenant: Tenant, team_ids: Iterable[int] | None = None) -> QuerySet[Schedule]:
    """The station's schedules by name, each with its rotation (team ids in turn order) prefetched;
    with ``team_ids`` (a team leader's teams) only the schedules those teams are responsible for
    or take turns in."""
    schedules = Schedule.objects.filter(tenant=tenant)
    if team_ids is not None:
        in_rotation = ScheduleTeam.objects.filter(tenant=tenant, team__in=team_ids).values("schedule_id")
        schedules = schedules.filter(Q(team__in=team_ids) | Q(pk__in=in_rotation))
    return schedules.prefetch_related(
        Prefetch("rotation", queryset=ScheduleTeam.objects.filter(tenant=tenant).order_by("position"))
    ).order_by("name")


def schedule_rotation_teams(*, schedule: Schedule) -> list[Team]:
    """The teams of a saved schedule's rotation, in turn order (none for a new schedule)."""
    if not schedule.pk:
        return []
    return [st.team for st in schedule.rotation.select_related("team").order_by("position")]


# ---- the planning maps ---------------------------------------------------------------------------------


def route_features(routes: Iterable[Route], checkpoints: Iterable[Checkpoint] = ()) -> list[dict[str, Any]]:
    """GeoJSON features of routes (lines) and checkpoints (points) for the planning maps."""
    features = [
        {
            "type": "Feature",
            "geometry": geojson_geometry(r.path),
            "properties": {"layer": "route", "name": r.name, "tier": r.tier, "id": r.pk},
        }
        for r in routes
    ]
    features += [
        {
            "type": "Feature",
            "geometry": geojson_geometry(c.location),
            "properties": {
                "layer": "checkpoint",
                "name": f"{c.position}. {c.name}",
                "radius": c.radius_m,
                "active": c.is_active,
            },
        }
        for c in checkpoints
    ]
    return features


def station_layers(*, tenant: Tenant, communities: Iterable[Community] | None = None) -> dict[str, Any]:
    """The station's boundary and communities (all, unless given) as a FeatureCollection."""
    communities = Community.objects.filter(tenant=tenant) if communities is None else communities
    layers: dict[str, Any] = feature_collection(station=tenant, communities=communities, grid_cells=[])
    return layers


def route_map(
    *,
    tenant: Tenant,
    routes: Iterable[Route],
    checkpoints: Iterable[Checkpoint] = (),
    communities: Iterable[Community] | None = None,
) -> dict[str, Any]:
    """A planning map: the station's layers with the routes and checkpoints on top."""
    layers = station_layers(tenant=tenant, communities=communities)
    layers["features"] += route_features(routes, checkpoints)
    return layers


def hotspot_map(*, tenant: Tenant) -> dict[str, Any]:
    """The hot spots' map: the station, its active routes and the recent reports (by public
    location, with their count)."""
    layers = route_map(tenant=tenant, routes=list(active_routes(tenant=tenant)), communities=[])
    layers["features"] += [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [lng, lat]},
            "properties": {"layer": "reports", "count": n, "name": str(n)},
        }
        for lat, lng, n in recent_report_points(tenant=tenant)
    ]
    return layers
