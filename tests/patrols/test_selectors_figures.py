"""The patrols app's dashboard figures (patrols/selectors/figures.py) against hand-counted rows in
a station on Europe/Berlin over the week that crosses the change to summer time; patrols walked
and patrol hours link to the patrols walked list, which holds the same patrols and hours."""

import datetime
import uuid
import zoneinfo
from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from jointdefense.core import rollups
from jointdefense.core.models import DailyCount
from jointdefense.core.periods import Period
from patrols.models import CheckIn, Checkpoint, Patrol, Shift, Signup
from patrols.selectors import figures as f
from patrols.selectors import rankings
from patrols.selectors import rollups as r
from patrols.services import field, planning, signups
from tests.factories import CheckpointFactory, RouteFactory, ShiftFactory, active_volunteer, at, check_in
from tests.support import rollup_rows, rollups_rebuilt

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
UTC = datetime.UTC
WEEK = Period.containing("week", datetime.date(2024, 3, 27), BERLIN)
FIRST_MOMENT = datetime.datetime(2024, 3, 24, 23, 0, tzinfo=UTC)  # Monday 00:00 CET
JUST_AFTER = datetime.datetime(2024, 3, 31, 22, 0, tzinfo=UTC)  # next Monday 00:00 CEST


@pytest.fixture
def berlin(station_a):
    station_a.time_zone = "Europe/Berlin"
    station_a.save(update_fields=["time_zone"])
    return station_a


def walked(station, volunteer, route, checkpoint, starts_at, check_ins, review="ok"):
    """A shift from ``starts_at`` for 4 hours and a patrol on it with check-ins ``check_ins``
    hours after the start."""
    with scopes_disabled():
        shift = ShiftFactory(
            route=route, starts_at=starts_at, ends_at=starts_at + datetime.timedelta(hours=4)
        )
        patrol = Patrol.objects.create(
            tenant=station,
            shift=shift,
            route=route,
            volunteer=volunteer,
            started_at=starts_at,
            status=Patrol.Status.ENDED,
            ended_at=starts_at + datetime.timedelta(hours=4),
        )
        for hours in check_ins:
            CheckIn.objects.create(
                tenant=station,
                patrol=patrol,
                checkpoint=checkpoint,
                client_id=uuid.uuid4(),
                device_time=starts_at + datetime.timedelta(hours=hours),
                review=review,
            )
    return shift


def test_patrol_hours_patrols_walked_and_the_list_behind_them(berlin, officer_a, chief_a, login):
    volunteer = active_volunteer(berlin, officer_a, full_name="Walker")
    with scopes_disabled():
        route = RouteFactory(tenant=berlin)
        checkpoint = CheckpointFactory(route=route)
    walked(berlin, volunteer, route, checkpoint, FIRST_MOMENT, [0, 1.5])  # 1.5 h
    walked(
        berlin, volunteer, route, checkpoint, JUST_AFTER - datetime.timedelta(hours=3), [0, 2, 9]
    )  # capped by the shift: 4 h
    walked(
        berlin, volunteer, route, checkpoint, FIRST_MOMENT + datetime.timedelta(days=1), [1]
    )  # one check-in: 0 h
    walked(berlin, volunteer, route, checkpoint, FIRST_MOMENT, [0, 3], review="flagged")  # not counted: 0 h
    walked(berlin, volunteer, route, checkpoint, JUST_AFTER, [0, 2])  # the week after
    rollups_rebuilt(berlin)  # rows written directly: the services' bumps never saw them
    with scope(tenant=berlin):
        assert f.patrols_walked(berlin, WEEK) == 4
        assert f.patrol_hours(berlin, WEEK) == Decimal("5.5")
        assert f.patrol_hours(berlin, WEEK.previous()) == 0
    url = reverse("patrols:patrol-list", kwargs={"station": berlin.slug}) + "?start=2024-03-25&end=2024-03-31"
    response = login(chief_a).get(url)
    assert response.context["page_obj"].paginator.count == 4
    assert response.context["report"].total_hours == pytest.approx(5.5)


def test_shift_coverage_is_places_filled_of_places_needed(berlin, officer_a):
    people = [active_volunteer(berlin, officer_a, full_name=f"V{n}") for n in range(3)]
    with scopes_disabled():
        route = RouteFactory(tenant=berlin)
        full = ShiftFactory(route=route, starts_at=FIRST_MOMENT, headcount=2)
        half = ShiftFactory(route=route, starts_at=FIRST_MOMENT + datetime.timedelta(days=2), headcount=2)
        ShiftFactory(route=route, starts_at=JUST_AFTER, headcount=5)  # the week after
        ShiftFactory(route=route, starts_at=FIRST_MOMENT, headcount=4, is_cancelled=True)
        for v in people:  # three on a shift of two: the extra person fills no other place
            Signup.objects.create(tenant=berlin, shift=full, volunteer=v)
        Signup.objects.create(tenant=berlin, shift=half, volunteer=people[0])
        Signup.objects.create(tenant=berlin, shift=half, volunteer=people[1], withdrawn_at=FIRST_MOMENT)
    rollups_rebuilt(berlin)  # rows written directly: the services' bumps never saw them
    with scope(tenant=berlin):
        assert f.shift_coverage(berlin, WEEK) == Decimal(75) == f.shift_coverage_raw(berlin, WEEK)  # 3 of 4
        assert f.shift_coverage(berlin, WEEK.previous()) is None
        assert f.shift_coverage_raw(berlin, WEEK.previous()) is None


# ---- through the real services: the rollups, the lists behind, raw == compute ------------------------


def walked_through_services(station, volunteer, route, starts_at, check_ins, review_far=()):
    """A 4-hour shift from ``starts_at`` (``shift_create``), ``volunteer`` signed up, the patrol
    started at its start through ``patrol_start`` and checked in (``check_in_submit``) at
    ``(checkpoint, hours)``; the indexes in ``review_far`` check in 500 m off (flagged). The sign-up
    of a shift that is over is written straight to the table: no service signs anyone up for it
    (:func:`past_sign_ups_counted`). Returns the patrol."""
    with scope(tenant=station):
        shift = planning.shift_create(
            shift=Shift(
                tenant=station,
                route=route,
                starts_at=starts_at,
                ends_at=starts_at + datetime.timedelta(hours=4),
                headcount=2,
            ),
            actor=None,
        )
    with scopes_disabled():
        Signup.objects.create(tenant=station, shift=shift, volunteer=volunteer)
    with scope(tenant=station):
        patrol = field.patrol_start(shift=shift, volunteer=volunteer, actor=None, now=starts_at)
    for index, (checkpoint, hours) in enumerate(check_ins):
        when = starts_at + datetime.timedelta(hours=hours)
        position = at(checkpoint, 500) if index in review_far else at(checkpoint)
        check_in(volunteer, checkpoint, when, now=when, position=position)
    with scope(tenant=station):
        field.patrol_end(
            patrol=patrol, volunteer=volunteer, actor=None, now=starts_at + datetime.timedelta(hours=4)
        )
    return patrol


@pytest.fixture
def walked_week(berlin, officer_a):
    """Five patrols: four started in the DST week (one at 23:30 on its last Sunday), one at 00:10
    on the Monday after, in the station's time."""
    with scopes_disabled():
        route = RouteFactory(tenant=berlin)
        one, two = CheckpointFactory(route=route, position=1), CheckpointFactory(route=route, position=2)
        CheckpointFactory(route=route, position=3, is_active=False)  # retired: not planned
    people = [active_volunteer(berlin, officer_a, full_name=f"Walker {n}") for n in range(5)]
    a = walked_through_services(berlin, people[0], route, FIRST_MOMENT, [(one, 0), (two, 1.5)])  # 1.5 h
    late = JUST_AFTER - datetime.timedelta(minutes=30)  # Sunday 23:30 CEST
    b = walked_through_services(berlin, people[1], route, late, [(one, 0.25), (two, 0.75)])  # 0.5 h
    c = walked_through_services(
        berlin,
        people[2],
        route,
        FIRST_MOMENT + datetime.timedelta(days=2),
        [(one, 0), (two, 1)],
        review_far=[1],
    )  # 0 h until its flagged check-in is cleared: then 1 h
    e = walked_through_services(
        berlin, people[3], route, FIRST_MOMENT + datetime.timedelta(days=3), [(one, 1)]
    )
    after = walked_through_services(
        berlin, people[4], route, JUST_AFTER + datetime.timedelta(minutes=10), [(one, 0), (two, 2)]
    )
    past_sign_ups_counted(berlin)
    return {"a": a, "b": b, "c": c, "e": e, "after": after, "route": route, "checkpoints": (one, two)}


def past_sign_ups_counted(station):
    """Count the places filled by the sign-ups written straight to the table as a rebuild does;
    every other rollup the services wrote must be what the rebuild computes."""
    not_filled = lambda rows: {k: v for k, v in rows.items() if k[:2] != (r.SHIFT_PLACES, r.FILLED)}  # noqa: E731
    written = rollup_rows(station)
    rebuilt = rollup_rows(rollups_rebuilt(station))
    assert not_filled(rebuilt) == not_filled(written)


def test_the_flows_count_what_the_services_wrote_on_the_station_s_days(berlin, officer_a, walked_week):
    with scope(tenant=berlin):
        assert f.patrols_walked(berlin, WEEK) == 4
        assert f.patrol_hours(berlin, WEEK) == Decimal("2.0")
        assert f.check_ins_made(berlin, WEEK) == 7
        assert f.check_ins_flagged_share(berlin, WEEK) == Decimal(100) / 7
        # planned: 2 checkpoints in use × 4 patrols; made: 2 + 2 + 1 (the flagged one waits) + 1
        assert f.checkpoint_compliance(berlin, WEEK) == Decimal("75")
        flagged = CheckIn.objects.get(patrol=walked_week["c"], review=CheckIn.Review.FLAGGED)
        field.check_in_review(check_in=flagged, actor=officer_a, decision="clear")
        assert f.patrol_hours(berlin, WEEK) == Decimal("3.0")
        assert f.check_ins_flagged_share(berlin, WEEK) == Decimal(100) / 7  # cleared: still was flagged
        assert f.checkpoint_compliance(berlin, WEEK) == Decimal("87.5")
        next_week = Period.containing("week", datetime.date(2024, 4, 1), BERLIN)
        assert (f.patrols_walked(berlin, next_week), f.patrol_hours(berlin, next_week)) == (1, Decimal(2))
        assert f.patrol_hours_weekly(
            berlin, Period.containing("month", datetime.date(2024, 3, 1), BERLIN)
        ) == {datetime.date(2024, 3, 25): Decimal(3)}
        assert f.check_ins_weekly(berlin, WEEK) == {datetime.date(2024, 3, 25): 7}


def test_compute_equals_raw_and_a_rebuild_changes_no_rollup(berlin, officer_a, walked_week):
    from jointdefense.core.registry import figures

    with scope(tenant=berlin):
        rejected = CheckIn.objects.get(patrol=walked_week["c"], review=CheckIn.Review.FLAGGED)
        field.check_in_review(check_in=rejected, actor=officer_a, decision="reject")
        before = rollup_rows(berlin)
        checked = 0
        for figure in figures:
            if figure.key.startswith("patrols.") and figure.raw is not None:
                for period in (
                    WEEK,
                    WEEK.previous(),
                    Period.containing("year", datetime.date(2024, 1, 1), BERLIN),
                ):
                    assert figure.compute(berlin, period) == figure.raw(berlin, period), figure.key
                checked += 1
        assert checked == 6  # every patrols figure reads rollups
    assert rollup_rows(rollups_rebuilt(berlin)) == before


def test_the_check_in_figures_link_to_the_review_list_holding_their_check_ins(
    berlin, officer_a, chief_a, login, walked_week
):
    from jointdefense.core.registry import figures

    by_key = {figure.key: figure for figure in figures}
    client = login(chief_a)
    with scope(tenant=berlin):
        counted = f.check_ins_made(berlin, WEEK)
    response = client.get(by_key["patrols.check_ins"].link(berlin, WEEK))
    assert response.status_code == 200
    listed = {ci.pk for ci in response.context["check_ins"]}
    with scopes_disabled():
        expected = set(
            CheckIn.objects.filter(patrol__in=[walked_week[k] for k in "abce"]).values_list("pk", flat=True)
        )
    assert listed == expected and len(listed) == counted == 7
    flagged = client.get(by_key["patrols.check_ins_flagged"].link(berlin, WEEK)).context["check_ins"]
    assert [ci.patrol_id for ci in flagged] == [walked_week["c"].pk]
    # without filters the page is the queue of flagged check-ins, as before
    queue = client.get(reverse("patrols:review-queue", kwargs={"station": berlin.slug})).context["check_ins"]
    assert [ci.review for ci in queue] == ["flagged"]
    walked_list = client.get(by_key["patrols.walked"].link(berlin, WEEK))
    assert walked_list.context["page_obj"].paginator.count == 4
    assert by_key["patrols.shift_coverage"].link(berlin, WEEK).endswith("week=2024-03-25")


def test_the_review_list_refuses_a_bad_day_with_a_message_not_an_error(berlin, chief_a, login):
    url = reverse("patrols:review-queue", kwargs={"station": berlin.slug}) + "?start=yesterday&review=ok"
    response = login(chief_a).get(url)
    assert response.status_code == 200
    assert response.context["filter"].errors["start"]


# ---- compliance against what was planned, coverage without cancelled shifts ---------------------------


def test_a_route_edited_after_its_patrols_leaves_their_compliance(berlin, officer_a, walked_week):
    """The week's four patrols were planned two checkpoints each and made 6 of 8; an officer then
    retires one of the two, brings back the third and adds a fourth: the week still reads 75 %. A
    patrol started after the edit is planned the three in use then."""
    from django.contrib.gis.geos import Point

    route, (one, two) = walked_week["route"], walked_week["checkpoints"]
    with scope(tenant=berlin):
        two.is_active = False
        planning.checkpoint_save(checkpoint=two, actor=officer_a)
        retired = route.checkpoints.get(position=3)
        retired.is_active = True
        planning.checkpoint_save(checkpoint=retired, actor=officer_a)
        x, y = route.path[0]
        planning.checkpoint_save(
            checkpoint=Checkpoint(route=route, name="Bakery", location=Point(x + 0.008, y, srid=4326)),
            actor=officer_a,
        )
        assert (
            f.checkpoint_compliance(berlin, WEEK) == Decimal(75) == f.checkpoint_compliance_raw(berlin, WEEK)
        )
    walker = active_volunteer(berlin, officer_a, full_name="Late walker")
    later = walked_through_services(
        berlin, walker, route, JUST_AFTER + datetime.timedelta(days=1), [(one, 0)]
    )
    past_sign_ups_counted(berlin)
    assert later.checkpoints_planned == 3
    next_week = Period.containing("week", datetime.date(2024, 4, 1), BERLIN)
    with scope(tenant=berlin):
        # the week after: "after" made 2 of 2, the later patrol 1 of 3
        assert f.checkpoint_compliance(berlin, next_week) == Decimal(60)
        assert f.checkpoint_compliance_raw(berlin, next_week) == Decimal(60)
        assert f.checkpoint_compliance(berlin, WEEK) == Decimal(75)


def test_checkpoints_made_count_each_checkpoint_of_the_route_once(berlin, officer_a):
    """Twice at the same checkpoint is one made; a cleared check-in at another route's checkpoint
    counts for the hours, not for this route's checkpoints."""
    walker = active_volunteer(berlin, officer_a, full_name="Walker")
    with scopes_disabled():
        route, elsewhere = RouteFactory(tenant=berlin), RouteFactory(tenant=berlin)
        one, _two = CheckpointFactory(route=route, position=1), CheckpointFactory(route=route, position=2)
        stray = CheckpointFactory(route=elsewhere, position=1)
    patrol = walked_through_services(berlin, walker, route, FIRST_MOMENT, [(one, 0), (one, 1), (stray, 2)])
    past_sign_ups_counted(berlin)
    with scope(tenant=berlin):
        for flagged in CheckIn.objects.filter(patrol=patrol, review=CheckIn.Review.FLAGGED):
            field.check_in_review(check_in=flagged, actor=officer_a, decision="clear")
        assert (
            f.checkpoint_compliance(berlin, WEEK) == Decimal(50) == f.checkpoint_compliance_raw(berlin, WEEK)
        )
        assert f.patrol_hours(berlin, WEEK) == Decimal(2)


@pytest.fixture
def tomorrow(station_a):
    """Nine and two o'clock tomorrow, and the week they are in, in the station's time."""
    tz = station_a.zoneinfo
    day = datetime.datetime.now(tz).date() + datetime.timedelta(days=1)
    return (
        datetime.datetime.combine(day, datetime.time(9), tz),
        datetime.datetime.combine(day, datetime.time(14), tz),
        Period.containing("week", day, tz),
    )


def test_a_cancelled_shift_leaves_coverage(station_a, officer_a, tomorrow):
    nine, two, week = tomorrow
    people = [active_volunteer(station_a, officer_a, full_name=f"V{n}") for n in range(4)]
    with scopes_disabled():
        route = RouteFactory(tenant=station_a)

    def coverage():
        value = f.shift_coverage(station_a, week)
        assert value == f.shift_coverage_raw(station_a, week)
        return value

    with scope(tenant=station_a):
        morning, afternoon = (
            planning.shift_create(
                shift=Shift(
                    tenant=station_a,
                    route=route,
                    starts_at=start,
                    ends_at=start + datetime.timedelta(hours=4),
                    headcount=n,
                ),
                actor=officer_a,
            )
            for start, n in ((nine, 2), (two, 3))
        )
        assert coverage() == 0  # five places needed, none filled
        signups.shift_signup(shift=morning, volunteer=people[0])
        signups.shift_signup(shift=morning, volunteer=people[1])
        signups.shift_assign(shift=afternoon, volunteer=people[2], actor=officer_a)
        assert coverage() == Decimal(60)  # 3 of 5
        planning.shift_cancel(shift=afternoon, actor=officer_a)
        assert coverage() == Decimal(100)  # 2 of 2: the cancelled shift needs no one
        planning.shift_cancel(shift=afternoon, actor=officer_a)  # again: nothing changes
        assert coverage() == Decimal(100)
        signups.shift_withdraw(signup=Signup.objects.get(shift=afternoon), actor=officer_a, by_officer=True)
        assert coverage() == Decimal(100)  # leaving a cancelled shift empties no place
        mine = Signup.objects.get(shift=morning, volunteer=people[1])
        signups.shift_withdraw(signup=mine, actor=officer_a, by_officer=True)
        assert coverage() == Decimal(50)
        signups.shift_assign(shift=morning, volunteer=people[1], actor=officer_a)  # back on it
        signups.shift_assign(shift=morning, volunteer=people[3], actor=officer_a)  # one too many
        assert coverage() == Decimal(100)
        planning.shift_cancel(shift=morning, actor=officer_a)
        assert coverage() is None  # nothing needed in the week
    assert rollup_rows(station_a) == rollup_rows(rollups_rebuilt(station_a))


def test_a_team_assigned_and_a_schedule_changed_each_pay_one_rollup_statement(station_a, officer_a, tomorrow):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from patrols.models import Schedule
    from tests.factories import team_with

    nine, _two, _week = tomorrow
    team = team_with(station_a, "North", *(active_volunteer(station_a, officer_a) for _ in range(3)))
    with scopes_disabled():
        route = RouteFactory(tenant=station_a)

    def rollup_statements(action):
        with CaptureQueriesContext(connection) as queries:
            result = action()
        return result, [q["sql"] for q in queries if "core_dailycount" in q["sql"]]

    with scope(tenant=station_a):
        shift = planning.shift_create(
            shift=Shift(
                tenant=station_a,
                route=route,
                starts_at=nine,
                ends_at=nine + datetime.timedelta(hours=4),
                headcount=2,
            ),
            actor=officer_a,
        )
        (assigned, _refused), statements = rollup_statements(
            lambda: signups.shift_assign_team(shift=shift, team=team, actor=officer_a)
        )
        assert len(assigned) == 3 and len(statements) == 1
        today = datetime.datetime.now(station_a.zoneinfo).date()
        schedule = planning.schedule_save(
            schedule=Schedule(
                tenant=station_a,
                route=route,
                name="Evenings",
                kind=Schedule.Kind.DAILY,
                start_time=datetime.time(19),
                duration_minutes=180,
                headcount=2,
                valid_from=today,
            ),
            actor=officer_a,
        )
        schedule.headcount = 3
        _schedule, statements = rollup_statements(
            lambda: planning.schedule_save(schedule=schedule, actor=officer_a)
        )
        assert len(statements) == 1  # the untouched shifts dropped and made again: one statement
        year = Period.containing("year", today, station_a.zoneinfo)
        assert f.shift_coverage(station_a, year) == f.shift_coverage_raw(station_a, year)
    assert rollup_rows(station_a) == rollup_rows(rollups_rebuilt(station_a))


# ---- a random run of the real services: every writer, compute == raw, a rebuild changes nothing ------


def service_run(station, officer, seed, steps=150):
    """A random run of the real services that write shifts, sign-ups, patrols and check-ins: shifts
    created and cancelled, a schedule saved and changed (its untouched shifts made again), the
    nightly generation, sign-ups, assignments of people and teams, withdrawals, patrols started
    and ended, check-ins (some far off: flagged), reviews, checkpoints retired, brought back and
    added. Returns the actions that wrote something."""
    import random

    from django.contrib.gis.geos import Point
    from django.utils import timezone

    from jointdefense.core.errors import DomainError
    from patrols.models import Schedule
    from tests.factories import team_with

    rng = random.Random(seed)
    people = [active_volunteer(station, officer, full_name=f"Walker {seed}-{n}") for n in range(6)]
    teams = [team_with(station, f"Team {seed}-{n}", *people[3 * n : 3 * n + 3]) for n in range(2)]
    with scopes_disabled():
        routes = [RouteFactory(tenant=station) for _ in range(2)]
        for route in routes:
            for position in (1, 2, 3):
                CheckpointFactory(route=route, position=position, is_active=position != 3)
    now = timezone.now().replace(second=0, microsecond=0)
    today = now.astimezone(station.zoneinfo).date()
    done = set()
    with scope(tenant=station):
        schedule = planning.schedule_save(
            schedule=Schedule(
                tenant=station,
                route=routes[0],
                name=f"Evenings {seed}",
                kind=Schedule.Kind.DAILY,
                start_time=datetime.time(19),
                duration_minutes=180,
                headcount=2,
                team=teams[0],
                valid_from=today,
            ),
            actor=officer,
        )
        actions = (
            ["create"] * 3
            + ["signup"] * 4
            + ["assign"] * 3
            + ["withdraw"] * 2
            + ["start"] * 5
            + ["check_in"] * 10
            + ["review"] * 2
            + ["end"] * 2
            + ["cancel", "team", "schedule", "nightly", "checkpoint"]
        )
        for _ in range(steps):
            action = rng.choice(actions)
            shifts = list(Shift.objects.filter(tenant=station, starts_at__gt=now).order_by("pk"))
            active = list(
                Signup.objects.filter(tenant=station, withdrawn_at__isnull=True).select_related("shift")
            )
            patrols = list(
                Patrol.objects.filter(tenant=station, status=Patrol.Status.ACTIVE).select_related(
                    "shift", "volunteer"
                )
            )
            try:
                if action == "create":
                    start = now + datetime.timedelta(hours=rng.randint(13, 24 * 20))
                    planning.shift_create(
                        shift=Shift(
                            tenant=station,
                            route=rng.choice(routes),
                            starts_at=start,
                            ends_at=start + datetime.timedelta(hours=rng.choice([2, 3, 4])),
                            headcount=rng.randint(1, 3),
                        ),
                        actor=officer,
                    )
                elif action == "cancel" and shifts:
                    planning.shift_cancel(shift=rng.choice(shifts), actor=officer)
                elif action == "signup" and shifts:
                    volunteer = rng.choice(people)
                    signups.shift_signup(shift=rng.choice(shifts), volunteer=volunteer, actor=volunteer.user)
                elif action == "assign" and shifts:
                    signups.shift_assign(
                        shift=rng.choice(shifts), volunteer=rng.choice(people), actor=officer
                    )
                elif action == "team" and shifts:
                    signups.shift_assign_team(shift=rng.choice(shifts), team=rng.choice(teams), actor=officer)
                elif action == "withdraw" and active:
                    signup = rng.choice(active)
                    by_officer = rng.random() < 0.6
                    signups.shift_withdraw(
                        signup=signup, actor=officer if by_officer else None, by_officer=by_officer
                    )
                elif action == "schedule":
                    schedule.headcount = rng.randint(1, 3)
                    planning.schedule_save(schedule=schedule, actor=officer, rotation=())
                elif action == "nightly":
                    planning.shifts_generate_all(days=rng.choice([28, 35]))
                elif action == "start" and active:
                    signup = rng.choice(active)
                    when = signup.shift.starts_at + datetime.timedelta(minutes=rng.randint(-20, 30))
                    field.patrol_start(shift=signup.shift, volunteer=signup.volunteer, actor=None, now=when)
                elif action == "check_in" and patrols:
                    patrol = rng.choice(patrols)
                    own = list(patrol.route.checkpoints.all())
                    other = [cp for route in routes for cp in route.checkpoints.all()]
                    checkpoint = rng.choice(own if rng.random() < 0.85 else other)
                    when = patrol.started_at + datetime.timedelta(minutes=rng.randint(0, 150))
                    far = rng.random() < 0.2
                    check_in(
                        patrol.volunteer,
                        checkpoint,
                        when,
                        now=when,
                        patrol_id=patrol.pk,
                        position=at(checkpoint, 500) if far else at(checkpoint),
                    )
                elif action == "review":
                    flagged = CheckIn.objects.filter(tenant=station, review=CheckIn.Review.FLAGGED).first()
                    if flagged is None:
                        continue
                    field.check_in_review(
                        check_in=flagged, actor=officer, decision=rng.choice(["clear", "reject"])
                    )
                elif action == "end" and patrols:
                    patrol = rng.choice(patrols)
                    field.patrol_end(
                        patrol=patrol, volunteer=patrol.volunteer, actor=None, now=patrol.shift.ends_at
                    )
                elif action == "checkpoint":
                    route = rng.choice(routes)
                    if rng.random() < 0.3:
                        x, y = route.path[0]
                        checkpoint = Checkpoint(
                            route=route, name="Added", location=Point(x + 0.008, y, srid=4326)
                        )
                    else:
                        checkpoint = rng.choice(list(route.checkpoints.all()))
                        checkpoint.is_active = not checkpoint.is_active
                    planning.checkpoint_save(checkpoint=checkpoint, actor=officer)
                else:
                    continue
            except DomainError:
                continue  # refused as a person would be: nothing written
            done.add(action)
    return done


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_after_a_random_run_of_the_services_the_figures_equal_their_raw_twins_and_a_rebuild(
    berlin, officer_a, station_b, officer_b, seed
):
    from jointdefense.core.registry import figures

    done = service_run(berlin, officer_a, seed)
    service_run(station_b, officer_b, seed + 100, steps=20)  # another station's writes stay its own
    assert done >= {
        "create",
        "cancel",
        "signup",
        "assign",
        "team",
        "withdraw",
        "schedule",
        "nightly",
        "start",
        "check_in",
        "review",
        "checkpoint",
    }
    today = datetime.datetime.now(BERLIN).date()
    later = today + datetime.timedelta(days=60)  # the shifts run up to five weeks ahead
    periods = [Period.containing(kind, today, BERLIN) for kind in ("week", "month", "year")]
    periods += [Period.containing(kind, later, BERLIN) for kind in ("month", "year")]
    checked = 0
    with scope(tenant=berlin):
        for figure in figures:
            if figure.key.startswith("patrols."):
                assert figure.raw is not None, figure.key
                for period in periods:
                    assert figure.compute(berlin, period) == figure.raw(berlin, period), (figure.key, period)
                checked += 1
        # the rankings of patrol hours read their own rollups: the same as over the rows
        for period in periods:
            for compute, raw in (
                (rankings.team_patrol_hours, rankings.team_patrol_hours_raw),
                (rankings.volunteer_patrol_hours, rankings.volunteer_patrol_hours_raw),
            ):
                ranked = {(e.id, e.value) for e in compute([berlin.pk], period)}
                assert ranked == {(e.id, e.value) for e in raw([berlin.pk], period)}, period
    assert checked == 6
    written = rollup_rows(berlin)
    series = {(key, dimension) for key, dimension, _day in written}
    assert {(r.SHIFT_PLACES, r.NEEDED), (r.SHIFT_PLACES, r.FILLED)} <= series
    assert {(r.CHECKPOINTS, r.PLANNED), (r.CHECKPOINTS, r.MADE)} <= series
    assert rollup_rows(rollups_rebuilt(berlin)) == written
    assert rollup_rows(station_b) == rollup_rows(rollups_rebuilt(station_b))


def test_walks_loaded_with_deferred_rollups_count_as_walks_bumped_one_by_one(berlin, officer_a):
    """A bulk load (the demo) writes through the same services with the station's rollups deferred:
    nothing is counted while it runs, and when it ends the figures are those of bumping each write."""
    with scopes_disabled():
        route = RouteFactory(tenant=berlin)
        one, two = CheckpointFactory(route=route, position=1), CheckpointFactory(route=route, position=2)
    people = [active_volunteer(berlin, officer_a, full_name=f"Walker {n}") for n in range(2)]
    with rollups.deferred(berlin):
        walked_through_services(berlin, people[0], route, FIRST_MOMENT, [(one, 0), (two, 1.5)])
        walked_through_services(berlin, people[1], route, FIRST_MOMENT, [(one, 0.5)], review_far=(0,))
        with scopes_disabled():
            assert not DailyCount.objects.filter(tenant=berlin, key__startswith="patrols.").exists()
    with scope(tenant=berlin):
        assert f.patrols_walked(berlin, WEEK) == 2
        assert f.patrol_hours(berlin, WEEK) == Decimal("1.5")  # the flagged one's hour waits for review
        assert f.check_ins_made(berlin, WEEK) == 3
        assert f.checkpoint_compliance(berlin, WEEK) == Decimal("50")  # 2 of 2 + 0 of 2
