"""Writes of patrol planning: routes and checkpoints (and the parsing of their drawn geometry),
schedules and the shifts they generate, one-off shifts. Sign-ups are patrols.services.signups.

Each function is one atomic, audited action with keyword arguments and an explicit ``actor``.

Shift generation
----------------
A schedule's start time is local wall-clock time in the station's time zone. Each occurrence is
computed as a naive local date and time, then given the station's zone, so a 08:00 shift stays
08:00 local across a daylight-saving change (its UTC time moves). A shift's end is its wall-clock
end, so back-to-back shifts meet exactly; a night shift over the change is an hour shorter or
longer, as it is on the street. Shifts may cross midnight. The rotation turn of an occurrence is
counted from the schedule's first day (``day × shifts_per_day + n``), so any window generates the
same teams. Generation is idempotent: under the schedules' row locks it inserts only the shifts
not there yet (the unique (tenant, schedule, starts_at) key stays as the guarantee), so it knows
exactly which shifts are new.

Shift coverage
--------------
Every write here that creates, cancels or deletes shifts bumps their places (``patrols.places``,
``selectors.rollups``) in the same transaction, one statement per write.
"""

import datetime
import zoneinfo
from collections.abc import Iterable, Iterator
from typing import Any

from django.contrib.gis.geos import GEOSGeometry, LineString
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Prefetch, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from jointdefense.accounts.models import User
from jointdefense.core import rollups
from jointdefense.core.services import audit
from jointdefense.tenancy.geo import geojson_geometry_object, geojson_position
from jointdefense.tenancy.models import BOUNDARY_TOLERANCE_DEGREES
from teams.models import Team

from ..errors import PlanningError
from ..models import Checkpoint, Patrol, Route, Schedule, ScheduleTeam, Shift, Signup, Tier
from ..selectors.rollups import places_bumps, shift_places
from ..selectors.signups import active_signups

# who acts: the signed-in user (None for the system, e.g. the demo or a beat task)
Actor = User | None

GENERATE_DAYS = 28
MAX_ROTATION_TEAMS = 6
MAX_VERTICES = 2000
GENERATE_BATCH = 500  # schedules per round of the nightly generation: memory stays bounded

# The fields of a schedule that officers set, in the order the page and the API show them (the
# rotation's teams come separately, in turn order).
SCHEDULE_FIELDS = [
    "name",
    "kind",
    "route",
    "start_time",
    "duration_minutes",
    "shifts_per_day",
    "weekdays",
    "headcount",
    "team",
    "valid_from",
    "valid_until",
    "is_active",
]


# ---- geometry input (the readers are tenancy.geo's) ----------------------------------------------


def line_from_geojson(value: Any) -> LineString:
    """A LineString (WGS 84) from a GeoJSON LineString; ValueError when it is not one."""
    geometry = geojson_geometry_object(value)
    if geometry.get("type") != "LineString":
        raise ValueError("type")
    coordinates = geometry.get("coordinates")
    if not isinstance(coordinates, list) or not 2 <= len(coordinates) <= MAX_VERTICES:
        raise ValueError("coordinates")
    return LineString([geojson_position(c) for c in coordinates], srid=4326)


# ---- routes and checkpoints ------------------------------------------------------------------------


def _inside(area: GEOSGeometry | None, geometry: GEOSGeometry) -> bool:
    """``geometry`` lies inside ``area`` (None: no area drawn), give or take the boundary tolerance."""
    if area is None or not area:
        return False
    return bool(area.buffer(BOUNDARY_TOLERANCE_DEGREES).contains(geometry))


def _check_route_geometry(route: Route) -> None:
    path = route.path
    if path is None or path.empty or path.geom_type != "LineString" or path.num_points < 2:
        raise PlanningError(
            _("Draw the route on the map as one line with at least two points."), field="path"
        )
    if path.length == 0:
        raise PlanningError(_("The route has no length: draw it along the streets."), field="path")
    tenant = route.tenant
    if not _inside(tenant.boundary, path):
        raise PlanningError(
            _("The route leaves the area of %(station)s: draw it inside the station boundary.")
            % {"station": tenant.name},
            field="path",
            code="outside",
        )
    community = route.community
    if community is not None and community.tenant_id != route.tenant_id:
        raise PlanningError(_("Choose a community of this station."), field="community")
    if route.tier == Tier.COMMUNITY and community is None:
        raise PlanningError(_("A community patrol route belongs to a community."), field="community")
    if (
        community is not None
        and route.tier in (Tier.COMMUNITY, Tier.COMPOUND)
        and not _inside(community.boundary, path)
    ):
        raise PlanningError(
            _("The route leaves %(community)s: a %(tier)s route stays inside its community.")
            % {"community": community.name, "tier": Tier(route.tier).label.lower()},
            field="path",
            code="outside_community",
        )


@transaction.atomic
def route_save(*, route: Route, actor: Actor) -> Route:
    """Create or change a route (its line inside the station, a community route inside its community)."""
    created = route.pk is None
    route.name = (route.name or "").strip()
    if not route.name:
        raise PlanningError(_("Give the route a name."), field="name")
    if Route.objects.filter(tenant=route.tenant_id, name=route.name).exclude(pk=route.pk).exists():
        raise PlanningError(_("This station already has a route with this name."), field="name")
    _check_route_geometry(route)
    route.full_clean(exclude=["tenant", "path"], validate_constraints=False)
    route.save()
    audit(
        tenant=route.tenant,
        actor=actor,
        action="route.created" if created else "route.changed",
        target=route,
        tier=route.tier,
    )
    return route


def _check_checkpoint(checkpoint: Checkpoint, route: Route) -> None:
    location = checkpoint.location
    if location is None or location.empty:
        raise PlanningError(_("Place the checkpoint on the map."), field="location")
    tenant = route.tenant
    if not _inside(tenant.boundary, location):
        raise PlanningError(
            _("The checkpoint is outside the area of %(station)s.") % {"station": tenant.name},
            field="location",
            code="outside",
        )
    if (
        route.community is not None
        and route.tier in (Tier.COMMUNITY, Tier.COMPOUND)
        and not _inside(route.community.boundary, location)
    ):
        raise PlanningError(
            _("The checkpoint is outside %(community)s, the community of this route.")
            % {"community": route.community.name},
            field="location",
            code="outside_community",
        )
    if not 5 <= (checkpoint.radius_m or 0) <= 1000:
        raise PlanningError(_("The geofence radius is between 5 and 1000 metres."), field="radius_m")


@transaction.atomic
def checkpoint_save(*, checkpoint: Checkpoint, actor: Actor) -> Checkpoint:
    """Create or change a checkpoint of a route; a new one goes to the end unless given a place."""
    route = checkpoint.route
    created = checkpoint.pk is None
    checkpoint.tenant_id = route.tenant_id
    checkpoint.name = (checkpoint.name or "").strip()
    if not checkpoint.name:
        raise PlanningError(_("Give the checkpoint a name."), field="name")
    _check_checkpoint(checkpoint, route)
    siblings = Checkpoint.objects.filter(tenant=route.tenant_id, route=route).exclude(pk=checkpoint.pk)
    if not checkpoint.position:
        last = siblings.order_by("-position").values_list("position", flat=True).first()
        checkpoint.position = (last or 0) + 1
    elif siblings.filter(position=checkpoint.position).exists():
        raise PlanningError(
            _("Another checkpoint of this route has this place in the order."), field="position"
        )
    checkpoint.save()
    audit(
        tenant=route.tenant,
        actor=actor,
        action="checkpoint.created" if created else "checkpoint.changed",
        target=checkpoint,
        route=route.pk,
    )
    return checkpoint


# ---- schedules -------------------------------------------------------------------------------------


def _check_schedule(schedule: Schedule, rotation: list[Team]) -> None:
    if not (schedule.name or "").strip():
        raise PlanningError(_("Give the schedule a name."), field="name")
    if schedule.route.tenant_id != schedule.tenant_id:
        raise PlanningError(_("Choose a route of this station."), field="route")
    if (schedule.duration_minutes or 0) < 15:
        raise PlanningError(_("A shift lasts at least 15 minutes."), field="duration_minutes")
    if (schedule.shifts_per_day or 0) < 1 or (schedule.headcount or 0) < 1:
        raise PlanningError(_("A schedule has at least one shift a day and one person."), field="headcount")
    if schedule.shifts_per_day * schedule.duration_minutes > 24 * 60:
        raise PlanningError(
            _("%(n)d shifts of %(minutes)d minutes do not fit in a day.")
            % {"n": schedule.shifts_per_day, "minutes": schedule.duration_minutes},
            field="shifts_per_day",
        )
    if schedule.valid_until and schedule.valid_until < schedule.valid_from:
        raise PlanningError(_("The schedule ends before it starts."), field="valid_until")
    if schedule.kind == Schedule.Kind.WEEKLY:
        days = sorted(set(schedule.weekdays or []))
        if not days or any(d not in range(1, 8) for d in days):
            raise PlanningError(_("Choose the weekdays of a weekly schedule."), field="weekdays")
        schedule.weekdays = days
    else:
        schedule.weekdays = []
    if schedule.kind == Schedule.Kind.ROTATION:
        if len(rotation) < 2:
            raise PlanningError(_("A rotation needs at least two teams, in turn order."), field="rotation")
        if len({t.pk for t in rotation}) != len(rotation):
            raise PlanningError(_("Each team takes one turn in the rotation."), field="rotation")
        if any(t.tenant_id != schedule.tenant_id for t in rotation):
            raise PlanningError(_("Choose teams of this station."), field="rotation")
        schedule.team = None
    elif schedule.team is not None and schedule.team.tenant_id != schedule.tenant_id:
        raise PlanningError(_("Choose a team of this station."), field="team")


@transaction.atomic
def schedule_save(
    *,
    schedule: Schedule,
    actor: Actor,
    rotation: Iterable[Team | None] = (),
    today: datetime.date | None = None,
) -> Schedule:
    """Create or change a schedule, then (re)generate its next four weeks of shifts.

    Future shifts of a changed schedule that nobody signed up for and nobody patrolled are replaced;
    shifts with people on them stay as they are, for an officer to move or cancel."""
    teams = [t for t in rotation if t is not None]
    created = schedule.pk is None
    schedule.name = (schedule.name or "").strip()
    _check_schedule(schedule, teams)
    if (
        Schedule.objects.filter(tenant=schedule.tenant_id, name=schedule.name)
        .exclude(pk=schedule.pk)
        .exists()
    ):
        raise PlanningError(_("This station already has a schedule with this name."), field="name")
    schedule.save()
    ScheduleTeam.objects.filter(tenant=schedule.tenant_id, schedule=schedule).delete()
    ScheduleTeam.objects.bulk_create(
        [
            ScheduleTeam(tenant_id=schedule.tenant_id, schedule=schedule, team=team, position=n)
            for n, team in enumerate(teams, start=1)
        ]
    )
    bumps = _drop_untouched_future_shifts(schedule) if not created else []
    schedule.rotation_teams = teams  # type: ignore[attr-defined]  # read by shifts_generate
    count = 0
    if schedule.is_active:
        today = today or timezone.localdate(timezone=schedule.tenant.zoneinfo)
        count, generated = _shifts_insert(
            schedules=[schedule], start=today, end=today + datetime.timedelta(days=GENERATE_DAYS)
        )
        bumps += generated.get(schedule.tenant_id, [])
    rollups.bump_all(schedule.tenant, bumps)  # the shifts dropped and made: one statement
    audit(
        tenant=schedule.tenant,
        actor=actor,
        action="schedule.created" if created else "schedule.changed",
        target=schedule,
        kind=schedule.kind,
        shifts_generated=count,
    )
    return schedule


def _drop_untouched_future_shifts(schedule: Schedule) -> list[rollups.Bump]:
    """Delete the schedule's future shifts nobody signed up for and nobody patrolled; returns the
    bumps taking their places away (no sign-up: nothing filled). The future shifts are locked
    first, so a sign-up arriving meanwhile waits and the ones judged untouched stay so."""
    future = Shift.objects.filter(tenant=schedule.tenant_id, schedule=schedule, starts_at__gt=timezone.now())
    locked = list(future.select_for_update().order_by("pk").values_list("pk", flat=True))
    untouched = Shift.objects.filter(tenant=schedule.tenant_id, pk__in=locked).exclude(
        Exists(Signup.objects.filter(tenant=schedule.tenant_id, shift=OuterRef("pk")))
        | Exists(Patrol.objects.filter(tenant=schedule.tenant_id, shift=OuterRef("pk")))
    )
    needed = (
        untouched.filter(is_cancelled=False)
        .annotate(day=TruncDate("starts_at", tzinfo=schedule.tenant.zoneinfo))
        .values("day")
        .annotate(n=Sum("headcount"))
        .order_by()
        .values_list("day", "n")
    )
    bumps = [bump for day, n in needed for bump in places_bumps(day, (n, 0), sign=-1)]
    untouched.delete()
    return bumps


def schedule_occurrences(
    schedule: Schedule,
    start: datetime.date,
    end: datetime.date,
    *,
    tz: zoneinfo.ZoneInfo,
    rotation: Iterable[int] = (),
) -> Iterator[tuple[datetime.datetime, datetime.datetime, int | None]]:
    """(starts_at, ends_at, team_id) in UTC of ``schedule``'s shifts whose local day is in
    [start, end). ``rotation``: the rotation's team ids in turn order."""
    first = max(start, schedule.valid_from)
    last = min(end, schedule.valid_until + datetime.timedelta(days=1)) if schedule.valid_until else end
    length = datetime.timedelta(minutes=schedule.duration_minutes)
    rotation = list(rotation)
    day = first
    while day < last:
        if schedule.kind != Schedule.Kind.WEEKLY or day.isoweekday() in schedule.weekdays:
            day_index = (day - schedule.valid_from).days
            for n in range(schedule.shifts_per_day):
                local_start = datetime.datetime.combine(day, schedule.start_time) + n * length
                local_end = local_start + length
                starts_at = local_start.replace(tzinfo=tz).astimezone(datetime.UTC)
                ends_at = local_end.replace(tzinfo=tz).astimezone(datetime.UTC)
                if ends_at <= starts_at:  # a wall-clock gap swallowed the whole shift
                    ends_at = starts_at + length
                team_id: int | None
                if schedule.kind == Schedule.Kind.ROTATION and rotation:
                    team_id = rotation[(day_index * schedule.shifts_per_day + n) % len(rotation)]
                else:
                    team_id = schedule.team_id
                yield starts_at, ends_at, team_id
        day += datetime.timedelta(days=1)


def shifts_generate(*, schedules: Iterable[Schedule], start: datetime.date, end: datetime.date) -> int:
    """Create the shifts of ``schedules`` for local days in [start, end), skipping those that exist,
    and bump their places, in one transaction.

    Rotation teams come from ``schedule.rotation_teams`` (a list of teams) when set, else from a
    prefetched or queried ``schedule.rotation``. One INSERT per 1,000 shifts, whatever the count,
    and one rollup statement per station. Returns how many shifts were new."""
    schedules = list(schedules)
    with transaction.atomic():
        count, bumps = _shifts_insert(schedules=schedules, start=start, end=end)
        tenants = {schedule.tenant_id: schedule.tenant for schedule in schedules}
        for tenant_id in sorted(bumps):
            rollups.bump_all(tenants[tenant_id], bumps[tenant_id])
    return count


def _shifts_insert(
    *, schedules: Iterable[Schedule], start: datetime.date, end: datetime.date
) -> tuple[int, dict[int, list[rollups.Bump]]]:
    """Insert the missing shifts of ``schedules`` (in the caller's transaction); returns how many
    and the bumps of their places, by station. The schedules' rows are locked first (in id order),
    so a generation of the same schedule running at once (the nightly beat, an officer saving it)
    waits, then finds the shifts this one made: one query tells which shifts exist already."""
    schedules = [schedule for schedule in schedules if schedule.is_active]
    rows = []
    for schedule in schedules:
        if hasattr(schedule, "rotation_teams"):
            rotation = [t.pk for t in schedule.rotation_teams]
        else:
            rotation = [st.team_id for st in sorted(schedule.rotation.all(), key=lambda st: st.position)]
        tz = schedule.tenant.zoneinfo
        for starts_at, ends_at, team_id in schedule_occurrences(
            schedule, start, end, tz=tz, rotation=rotation
        ):
            rows.append(
                Shift(
                    tenant_id=schedule.tenant_id,
                    schedule=schedule,
                    route_id=schedule.route_id,
                    team_id=team_id,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    headcount=schedule.headcount,
                )
            )
    if not rows:
        return 0, {}
    ids = sorted({schedule.pk for schedule in schedules})
    tenant_ids = sorted({schedule.tenant_id for schedule in schedules})
    list(
        Schedule.objects.filter(tenant__in=tenant_ids, pk__in=ids)
        .select_for_update()
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    existing = set(
        Shift.objects.filter(
            tenant__in=tenant_ids,
            schedule__in=ids,
            starts_at__gte=min(row.starts_at for row in rows),
            starts_at__lte=max(row.starts_at for row in rows),
        ).values_list("schedule_id", "starts_at")
    )
    new = [row for row in rows if (row.schedule_id, row.starts_at) not in existing]
    Shift.objects.bulk_create(new, batch_size=1000)
    bumps: dict[int, list[rollups.Bump]] = {}
    for row in new:  # a new shift: its headcount needed, nobody on it yet
        bumps.setdefault(row.tenant_id, []).extend(places_bumps(row.starts_at, (row.headcount, 0)))
    return len(new), bumps


def shifts_generate_all(*, days: int = GENERATE_DAYS, now: datetime.datetime | None = None) -> int:
    """Create the missing shifts of every active schedule of every station for the next ``days``
    local days (the nightly beat task).

    Idempotent (the shifts that exist are skipped, under the schedules' row locks), so two beats
    or a retry add nothing. Per batch of schedules: one query for the schedules with their
    stations, one for the rotations; per station's day, one transaction locking its schedules,
    finding the shifts that exist and inserting the rest (one INSERT per 1,000 shifts), with one
    rollup statement per station."""
    now = now or timezone.now()
    offered = 0
    last_pk = 0
    with scopes_disabled():  # a sweep across every station; each row names its own
        while True:
            batch = list(
                Schedule.objects.filter(
                    is_active=True, tenant__is_active=True, route__is_active=True, pk__gt=last_pk
                )
                .filter(
                    Q(valid_until__isnull=True) | Q(valid_until__gte=now.date() - datetime.timedelta(days=1))
                )
                .select_related("tenant")
                .prefetch_related(Prefetch("rotation", queryset=ScheduleTeam.objects.order_by("position")))
                .order_by("pk")[:GENERATE_BATCH]
            )
            if not batch:
                break
            last_pk = batch[-1].pk
            by_day: dict[datetime.date, list[Schedule]] = {}
            for schedule in batch:
                today = now.astimezone(schedule.tenant.zoneinfo).date()
                by_day.setdefault(today, []).append(schedule)
            for today, schedules in by_day.items():
                offered += shifts_generate(
                    schedules=schedules, start=today, end=today + datetime.timedelta(days=days)
                )
    return offered


# ---- one-off shifts ------------------------------------------------------------------------------


def locked_shift(shift: Shift) -> Shift:
    """The shift's row, locked until the end of the transaction (sign-ups and cancelling queue up)."""
    return (
        Shift.objects.select_for_update(of=("self",))
        .select_related("route")
        .get(pk=shift.pk, tenant=shift.tenant_id)
    )


@transaction.atomic
def shift_create(*, shift: Shift, actor: Actor) -> Shift:
    """An officer adds a one-off shift on a route."""
    if shift.route.tenant_id != shift.tenant_id:
        raise PlanningError(_("Choose a route of this station."), field="route")
    if shift.ends_at <= shift.starts_at:
        raise PlanningError(_("The shift ends before it starts."), field="ends_at")
    if shift.ends_at - shift.starts_at > datetime.timedelta(hours=24):
        raise PlanningError(_("A shift lasts at most 24 hours."), field="ends_at")
    if (shift.headcount or 0) < 1:
        raise PlanningError(_("A shift needs at least one person."), field="headcount")
    shift.schedule = None
    try:
        with transaction.atomic():
            shift.save()
    except IntegrityError:
        raise PlanningError(_("The shift could not be saved.")) from None
    places = shift_places(headcount=shift.headcount, active=0, is_cancelled=shift.is_cancelled)
    rollups.bump_all(shift.tenant, places_bumps(shift.starts_at, places))
    audit(tenant=shift.tenant, actor=actor, action="shift.created", target=shift)
    return shift


@transaction.atomic
def shift_cancel(*, shift: Shift, actor: Actor) -> Shift:
    shift = locked_shift(shift)
    if shift.is_cancelled:
        return shift
    before = shift_places(headcount=shift.headcount, active=active_signups(shift), is_cancelled=False)
    shift.is_cancelled = True
    shift.save(update_fields=["is_cancelled"])
    # a cancelled shift counts nothing: its places go
    rollups.bump_all(shift.tenant, places_bumps(shift.starts_at, before, sign=-1))
    audit(tenant=shift.tenant, actor=actor, action="shift.cancelled", target=shift)
    return shift
