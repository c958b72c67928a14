"""Demo patrol planning for a station (called by seed_demo inside the station's scope): routes on
all three tiers with checkpoints, schedules (including the brigade's "four teams, three rotations"),
their shifts from two weeks ago (the next four weeks come from the schedules themselves, as every
night) and sign-ups by the teams' patrol volunteers, with a few gaps left for the coverage page.

Idempotent: routes, checkpoints, schedules and squads by natural keys, shifts by their unique
(schedule, start) key, sign-ups only on shifts that have none yet. Bulk inserts keep it fast.
Then the field: past patrols on these routes (``seed_past_patrols``, below).

The field
---------
Demo data of patrols in the field: past patrols with realistic check-ins, recorded through the real
services (patrols.services.field), so hours, flags, the review queue and points look as they do live.

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

from jointdefense.tenancy.models import BOUNDARY_TOLERANCE_DEGREES, Community
from teams.models import Team, TeamMember, Volunteer
from teams.services import teams as team_services

from .errors import PatrolError, PlanningError
from .models import CheckIn, Checkpoint, Patrol, Route, Schedule, Shift, Signup, Tier
from .selectors.eligibility import may_patrol
from .services import field
from .services import planning as services

# routes along main roads, (lon, lat), per station
BRIGADE_ROUTES = {
    "huayuan-road": [
        (
            "Huayuan Road key segment",
            "花园路重点路段",
            [(113.6722, 34.7722), (113.6728, 34.7850), (113.6735, 34.7985)],
        ),
        (
            "Nongye Road key segment",
            "农业路重点路段",
            [(113.6575, 34.7868), (113.6760, 34.7872), (113.6925, 34.7878)],
        ),
    ],
    "dongfeng-road": [
        ("Dongfeng Road key segment", "东风路重点路段", [(113.6975, 34.7830), (113.7150, 34.7830)]),
    ],
}
CHECKPOINT_NAMES = [
    ("North gate", "北门"),
    ("Market entrance", "菜市场入口"),
    ("Bike shed", "电动车棚"),
    ("School gate", "学校门口"),
    ("Bus stop", "公交站"),
    ("Square", "广场"),
    ("Car park", "停车场"),
    ("Back lane", "后巷"),
]
SQUADS = ["一中队", "二中队", "三中队", "四中队"]


def seed_routes_and_shifts(*, station, officer, now=None, past_days: int = 14):
    """Routes, checkpoints, schedules, shifts and sign-ups for ``station`` (inside its scope)."""
    now = now or timezone.now()
    today = timezone.localdate(now, timezone=station.zoneinfo)
    rng = random.Random(f"patrols:{station.slug}")
    communities = {c.slug: c for c in Community.objects.filter(tenant=station)}
    teams = {t.name: t for t in Team.objects.filter(tenant=station)}

    brigades = [
        _route(station, officer, name, Tier.BRIGADE, None, LineString(points, srid=4326), zh)
        for name, zh, points in BRIGADE_ROUTES.get(station.slug, [])
    ]
    community_routes = {}
    by_pk = {c.pk: c for c in communities.values()}
    for team in sorted(teams.values(), key=lambda t: t.name):
        community = by_pk.get(team.home_community_id)
        if community is None:
            continue
        if team.type == Team.Type.COMMUNITY_PATROL:
            community_routes[team.name] = _route(
                station,
                officer,
                f"{community.name} patrol loop",
                Tier.COMMUNITY,
                community,
                _community_path(community),
                f"{community.name_zh_hans or community.name}巡逻路线",
            )
        elif team.type == Team.Type.COMPOUND_SECURITY:
            community_routes[team.name] = _route(
                station,
                officer,
                f"{team.name} rounds",
                Tier.COMPOUND,
                community,
                _compound_path(community),
                f"{team.description}巡查路线",
            )
    for route in [*brigades, *community_routes.values()]:
        _checkpoints(route, officer, 5 if route.tier == Tier.BRIGADE else 4)

    valid_from = today - datetime.timedelta(days=past_days)
    schedules = []
    brigade_team = next((t for t in teams.values() if t.type == Team.Type.PATROL_BRIGADE), None)
    if brigades and brigade_team is not None:
        squads = _squads(station, officer, brigade_team, rng)
        schedules.append(
            _schedule(
                station,
                officer,
                name="Brigade round the clock (four teams, three rotations)",
                kind=Schedule.Kind.ROTATION,
                route=brigades[0],
                start_time=datetime.time(8),
                duration_minutes=480,
                shifts_per_day=3,
                headcount=3,
                valid_from=valid_from,
                rotation=squads,
                today=today,
            )
        )
        if len(brigades) > 1:
            schedules.append(
                _schedule(
                    station,
                    officer,
                    name="Weekend night patrol on Nongye Road",
                    kind=Schedule.Kind.WEEKLY,
                    weekdays=[5, 6],
                    route=brigades[1],
                    start_time=datetime.time(20),
                    duration_minutes=240,
                    headcount=4,
                    team=brigade_team,
                    valid_from=valid_from,
                    today=today,
                )
            )
    for team_name, route in community_routes.items():
        team = teams[team_name]
        if route.tier == Tier.COMPOUND:
            fields = {
                "start_time": datetime.time(7),
                "duration_minutes": 720,
                "shifts_per_day": 2,
                "headcount": 2,
            }
            name = f"{team.name}: day and night rounds"
        else:
            fields = {"start_time": datetime.time(19), "duration_minutes": 120, "headcount": 3}
            name = f"{team.name}: evening patrol"
        schedules.append(
            _schedule(
                station,
                officer,
                name=name,
                kind=Schedule.Kind.DAILY,
                route=route,
                team=team,
                valid_from=valid_from,
                today=today,
                **fields,
            )
        )
        if route.community and route.community.slug == "weiwu":
            schedules.append(
                _schedule(
                    station,
                    officer,
                    name=f"{team.name}: weekend mornings",
                    kind=Schedule.Kind.WEEKLY,
                    weekdays=[6, 7],
                    route=route,
                    team=team,
                    start_time=datetime.time(9),
                    duration_minutes=180,
                    headcount=2,
                    valid_from=valid_from,
                    today=today,
                )
            )
    # the past two weeks (saving a schedule generated the next four)
    services.shifts_generate(schedules=schedules, start=valid_from, end=today)
    _signups(station, schedules, rng, now)
    return schedules


def _route(station, officer, name, tier, community, path, name_zh):
    route = Route.objects.filter(tenant=station, name=name).first()
    if route is not None:
        return route
    try:
        return services.route_save(
            route=Route(
                tenant=station, name=name, tier=tier, community=community, path=path, description=name_zh
            ),
            actor=officer,
        )
    except PlanningError:
        # a community cut by the station boundary may not be convex: walk its inner ring instead
        ring = community.boundary.buffer(-0.0006).exterior_ring
        path = LineString([(round(x, 6), round(y, 6)) for x, y in ring.coords], srid=4326).simplify(0.0002)
        return services.route_save(
            route=Route(
                tenant=station, name=name, tier=tier, community=community, path=path, description=name_zh
            ),
            actor=officer,
        )


def _ring_point(ring_line, fraction):
    p = ring_line.interpolate_normalized(fraction)
    return (round(p.x, 6), round(p.y, 6))


def _community_path(community):
    """A walk from the community's edge through its centre and round its other side."""
    inner = community.boundary.buffer(-0.0006)
    ring = LineString(inner.exterior_ring.coords, srid=4326)
    centre = community.boundary.point_on_surface
    points = [
        _ring_point(ring, 0.05),
        (round(centre.x, 6), round(centre.y, 6)),
        _ring_point(ring, 0.3),
        _ring_point(ring, 0.55),
        _ring_point(ring, 0.8),
    ]
    return LineString(points, srid=4326)


def _compound_path(community):
    """A small round inside a compound, in the community (shrinking until it fits)."""
    centre = community.boundary.point_on_surface
    inside = community.boundary.buffer(-BOUNDARY_TOLERANCE_DEGREES)
    size = 0.0012
    while size > 0.0002:
        x, y = centre.x, centre.y
        square = [(x - size, y - size), (x + size, y - size), (x + size, y + size), (x - size, y + size)]
        path = LineString([*square, square[0]], srid=4326)
        if inside.contains(path):
            return path
        size /= 2
    return LineString([(centre.x, centre.y), (centre.x + 0.0002, centre.y)], srid=4326)


def _checkpoints(route, officer, count):
    if Checkpoint.objects.filter(tenant=route.tenant_id, route=route).exists():
        return
    closed = route.path[0] == route.path[-1]
    for k in range(count):
        fraction = k / count if closed else k / (count - 1)
        p = route.path.interpolate_normalized(fraction)
        name, zh = CHECKPOINT_NAMES[(route.pk + k) % len(CHECKPOINT_NAMES)]
        services.checkpoint_save(
            checkpoint=Checkpoint(
                tenant_id=route.tenant_id,
                route=route,
                name=f"{name} {zh}",
                position=k + 1,
                location=Point(round(p.x, 6), round(p.y, 6), srid=4326),
                radius_m=60 if route.tier == Tier.BRIGADE else 40,
            ),
            actor=officer,
        )


def _squads(station, officer, brigade, rng):
    """The brigade's four squads for "four teams, three rotations": its patrol volunteers, shared
    out in turn, topped up from the station's other patrol volunteers."""
    squads = []
    for n, zh in enumerate(SQUADS, start=1):
        name = f"{brigade.name}, squad {n}"
        squad = Team.objects.filter(tenant=station, name=name).first()
        if squad is None:
            squad = team_services.team_save(
                team=Team(
                    tenant=station,
                    name=name,
                    type=Team.Type.PATROL_BRIGADE,
                    description=f"{brigade.description}{zh}",
                ),
                actor=officer,
            )
        squads.append(squad)
    if TeamMember.objects.filter(tenant=station, team__in=squads).exists():
        return squads
    members = [
        m.volunteer
        for m in TeamMember.objects.filter(tenant=station, team=brigade).select_related("volunteer")
        if may_patrol(m.volunteer)
    ]
    others = [
        v
        for v in Volunteer.objects.filter(tenant=station, status=Volunteer.Status.ACTIVE).order_by("pk")
        if may_patrol(v) and v not in members
    ]
    rng.shuffle(others)
    people = (members + others)[: 4 * 5]
    for k, volunteer in enumerate(people):
        team_services.team_member_add(team=squads[k % 4], volunteer=volunteer, actor=officer, is_leader=k < 4)
    return squads


def _schedule(station, officer, *, name, rotation=(), today, **fields):
    schedule = Schedule.objects.filter(tenant=station, name=name).first()
    if schedule is not None:
        schedule.rotation_teams = list(rotation)
        return schedule
    return services.schedule_save(
        schedule=Schedule(tenant=station, name=name, **fields), actor=officer, rotation=rotation, today=today
    )


def _signups(station, schedules, rng, now):
    """Sign-ups by the responsible team's patrol volunteers: past shifts mostly full, the coming
    ones filling up, a few short of people. Never two overlapping shifts for one person."""
    shifts = list(
        Shift.objects.filter(tenant=station, schedule__in=schedules, is_cancelled=False)
        .exclude(signups__isnull=False)
        .order_by("starts_at")
    )
    if not shifts:
        return
    members: dict[int, list[Volunteer]] = {}
    for m in (
        TeamMember.objects.filter(tenant=station).select_related("volunteer").order_by("volunteer__full_name")
    ):
        if may_patrol(m.volunteer):
            members.setdefault(m.team_id, []).append(m.volunteer)
    busy: dict[int, list[tuple]] = {}
    for volunteer_id, starts_at, ends_at in Signup.objects.filter(
        tenant=station, withdrawn_at__isnull=True, shift__is_cancelled=False
    ).values_list("volunteer_id", "shift__starts_at", "shift__ends_at"):
        busy.setdefault(volunteer_id, []).append((starts_at, ends_at))
    rows = []
    for shift in shifts:
        pool = list(members.get(shift.team_id, []))
        if not pool:
            continue
        local = random.Random(f"{shift.schedule_id}:{shift.starts_at.isoformat()}")
        local.shuffle(pool)
        days_ahead = (shift.starts_at - now).total_seconds() / 86400
        if days_ahead < 0:
            wanted = shift.headcount if local.random() < 0.85 else shift.headcount - 1
        elif days_ahead < 7:
            wanted = shift.headcount - (1 if local.random() < 0.25 else 0)
        else:
            wanted = max(0, shift.headcount - local.randrange(0, 3))
        taken = 0
        for volunteer in pool:
            if taken >= wanted:
                break
            if any(s < shift.ends_at and e > shift.starts_at for s, e in busy.get(volunteer.pk, [])):
                continue
            busy.setdefault(volunteer.pk, []).append((shift.starts_at, shift.ends_at))
            signed = min(shift.starts_at - datetime.timedelta(hours=local.randrange(12, 120)), now)
            rows.append(
                Signup(
                    tenant=station,
                    shift=shift,
                    volunteer=volunteer,
                    source=Signup.Source.SELF if local.random() < 0.8 else Signup.Source.TEAM,
                    created_at=signed,
                )
            )
            taken += 1
    Signup.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)


# ---- the field: past patrols -----------------------------------------------------------------------

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
    except PatrolError:
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
    seed_routes_and_shifts(station=ctx.station, officer=ctx.officer)
    seed_past_patrols(station=ctx.station, officer=ctx.officer)


def demo_summary() -> list[tuple[str, int]]:
    with scopes_disabled():
        return [
            ("patrol routes", Route.objects.count()),
            ("shifts", Shift.objects.count()),
            ("shift sign-ups", Signup.objects.count()),
        ]
