"""Demo data of patrols in the field: past patrols with realistic check-ins, recorded through the real
services (patrols.field), so hours, flags, the review queue and points look as they do live.

``seed_past_patrols(station=...)`` takes the station's past shifts with sign-ups (the planning
demo creates a month of them) and walks most of them: check-ins at the route's checkpoints spread
over the shift, a few metres of GPS scatter, some sent late from the offline queue, a few flagged
(too far from the checkpoint, no location, the same checkpoint again). Older flags are decided by
an officer. When the station has no past shifts with sign-ups yet, it creates a week of minimal ones
on a small route of its own first.

Deterministic (a seeded random generator, client ids derived from the shift and volunteer) and
idempotent: a shift and volunteer with a patrol already are left alone.
"""

import datetime
import math
import random
import uuid

from django.contrib.gis.geos import LineString, Point
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from . import field
from .models import CheckIn, Checkpoint, Patrol, Route, Shift, Signup, Tier
from .rules import may_patrol

DEMO_ROUTE = "Demo evening loop"
NAMESPACE = uuid.UUID("6f1c3f52-29a8-4b8e-9a57-3c0f3b8a3d11")


def _offset(point, metres, bearing_deg):
    """``point`` moved ``metres`` towards ``bearing_deg`` (small distances)."""
    lat = math.radians(point.y)
    dy = metres * math.cos(math.radians(bearing_deg)) / 111_320
    dx = metres * math.sin(math.radians(bearing_deg)) / (111_320 * math.cos(lat))
    return point.y + dy, point.x + dx


def _ensure_minimal_shifts(station, now, rng):
    """A small route with four checkpoints and a week of evening shifts with sign-ups, unless the
    station has past shifts with sign-ups already (the planning demo makes the real ones)."""
    from teams.models import Volunteer

    has_past = Signup.objects.filter(
        tenant=station, withdrawn_at__isnull=True, shift__ends_at__lt=now, shift__is_cancelled=False
    ).exists()
    if has_past:
        return
    walkers = [
        v
        for v in Volunteer.objects.filter(tenant=station, status=Volunteer.Status.ACTIVE).order_by("pk")[:40]
        if may_patrol(v)
    ][:4]
    if not walkers or station.boundary is None:
        return
    centre = station.boundary.point_on_surface
    route = Route.objects.filter(tenant=station, name=DEMO_ROUTE).first()
    if route is None:
        corners = [_offset(centre, 250, bearing) for bearing in (0, 90, 180, 270)]
        coords = [(lng, lat) for lat, lng in corners]
        route = Route.objects.create(
            tenant=station,
            name=DEMO_ROUTE,
            tier=Tier.COMMUNITY,
            path=LineString([*coords, coords[0]], srid=4326),
            description="A loop round the station's centre (demo).",
        )
        for position, (lng, lat) in enumerate(coords, start=1):
            Checkpoint.objects.create(
                tenant=station,
                route=route,
                name=["North gate", "East market", "South school", "West park"][position - 1],
                position=position,
                location=Point(lng, lat, srid=4326),
                radius_m=40,
            )
    tz = station.zoneinfo
    today = timezone.localdate(now, tz)
    for days_ago in range(1, 8):
        day = today - datetime.timedelta(days=days_ago)
        starts = datetime.datetime.combine(day, datetime.time(19, 0), tz)
        shift, _ = Shift.objects.get_or_create(
            tenant=station,
            route=route,
            starts_at=starts,
            defaults={"ends_at": starts + datetime.timedelta(hours=3), "headcount": 2},
        )
        for walker in rng.sample(walkers, min(2, len(walkers))):
            Signup.objects.get_or_create(tenant=station, shift=shift, volunteer=walker)


def seed_past_patrols(*, station, officer=None, days=30, now=None, attendance=0.85, limit=400) -> int:
    """Record past patrols for the station's past shifts with sign-ups. Returns how many patrols
    were recorded in this run."""
    now = now or timezone.now()
    rng = random.Random(f"patrols-field:{station.slug}")
    recorded = 0
    with scope(tenant=station.scope_tenants()), timezone.override(station.zoneinfo):
        _ensure_minimal_shifts(station, now, rng)
        signups = list(
            Signup.objects.filter(
                tenant=station,
                withdrawn_at__isnull=True,
                shift__is_cancelled=False,
                shift__ends_at__lt=now - datetime.timedelta(hours=1),
                shift__starts_at__gte=now - datetime.timedelta(days=days),
            )
            .select_related("shift", "shift__route", "volunteer")
            .order_by("shift__starts_at", "pk")
        )
        walked = set(
            Patrol.objects.filter(tenant=station, shift_id__in={s.shift_id for s in signups}).values_list(
                "shift_id", "volunteer_id"
            )
        )
        routes = {s.shift.route_id for s in signups}
        checkpoints: dict[int, list] = {}
        for cp in Checkpoint.objects.filter(tenant=station, route_id__in=routes, is_active=True).order_by(
            "route_id", "position"
        ):
            checkpoints.setdefault(cp.route_id, []).append(cp)
        for signup in signups:
            if recorded >= limit:
                break
            key = (signup.shift_id, signup.volunteer_id)
            srng = random.Random(f"{station.slug}:{key}")
            if key in walked or srng.random() > attendance or not may_patrol(signup.volunteer):
                continue
            cps = checkpoints.get(signup.shift.route_id)
            if not cps:
                continue
            if _walk(signup, cps, srng, officer, now):
                recorded += 1
    return recorded


def _walk(signup, cps, rng, officer, now) -> bool:
    shift, volunteer = signup.shift, signup.volunteer
    start = shift.starts_at + datetime.timedelta(minutes=rng.randint(-10, 12))
    try:
        patrol = field.patrol_start(shift=shift, volunteer=volunteer, actor=volunteer.user, now=start)
    except field.PatrolError:
        return False
    length = (shift.ends_at - start).total_seconds()
    # one or two rounds of the route, check-ins spread over the shift
    stops = cps * (2 if length > 3 * 3600 and rng.random() < 0.6 else 1)
    if rng.random() < 0.12:  # left early: the last checkpoints are missed
        stops = stops[: max(1, len(stops) - rng.randint(1, 2))]
    step = length * 0.9 / max(1, len(stops))
    when = start + datetime.timedelta(minutes=rng.randint(3, 10))
    for n, cp in enumerate(stops):
        lat, lng = _offset(cp.location, rng.uniform(2, cp.radius_m * 0.6), rng.uniform(0, 360))
        accuracy = rng.choice([5, 8, 12, 16, 25])
        roll = rng.random()
        if roll < 0.06:  # GPS lost in a stairwell, or the guard stood across the road
            lat, lng = _offset(
                cp.location, rng.uniform(cp.radius_m * 2, cp.radius_m * 5), rng.uniform(0, 360)
            )
        elif roll < 0.08:
            lat = lng = accuracy = None
        received = when + (
            datetime.timedelta(minutes=rng.randint(8, 40))
            if rng.random() < 0.1
            else datetime.timedelta(seconds=2)
        )
        field.check_in_submit(
            volunteer=volunteer,
            qr_token=cp.qr_token,
            client_id=uuid.uuid5(NAMESPACE, f"{patrol.pk}:{n}"),
            device_time=when,
            lat=lat,
            lng=lng,
            accuracy_m=accuracy,
            now=min(received, now),
        )
        when += datetime.timedelta(seconds=step * rng.uniform(0.8, 1.1))
    if rng.random() < 0.3:
        field.patrol_note_add(
            patrol=patrol,
            volunteer=volunteer,
            text=rng.choice(
                [
                    "Bicycle shed door left open; told the caretaker.",
                    "Street light out at the market corner.",
                    "Quiet evening, residents walking dogs.",
                    "Reminded a shop owner to lock the rolling shutter.",
                    "Group of teenagers at the park, nothing wrong.",
                ]
            ),
            now=when,
        )
    field.patrol_end(patrol=patrol, volunteer=volunteer, actor=volunteer.user, now=min(when, shift.ends_at))
    patrol.refresh_from_db()
    # an officer has decided the older flags: most are cleared (a stairwell, a weak signal)
    if officer is not None and patrol.ended_at < now - datetime.timedelta(days=2):
        for check_in in CheckIn.objects.filter(
            tenant=patrol.tenant_id, patrol=patrol, review=CheckIn.Review.FLAGGED
        ):
            field.check_in_review(
                check_in=check_in,
                actor=officer,
                decision="clear" if rng.random() < 0.8 else "reject",
                note="Checked with the volunteer.",
                now=patrol.ended_at + datetime.timedelta(hours=rng.randint(2, 30)),
            )
    field.patrol_points_award(patrol=patrol)
    return True


def seed_demo_station(ctx) -> None:
    """The patrols seeder of ``seed_demo``: routes, schedules and shifts (planning), then the past
    weeks' patrols and check-ins (field), at every station."""
    from . import demo as planning_demo

    planning_demo.seed_routes_and_shifts(station=ctx.station, officer=ctx.officer)
    seed_past_patrols(station=ctx.station, officer=ctx.officer)


def demo_summary() -> list[tuple[str, int]]:
    with scopes_disabled():
        return [
            ("patrol routes", Route.objects.count()),
            ("shifts", Shift.objects.count()),
            ("shift sign-ups", Signup.objects.count()),
        ]
