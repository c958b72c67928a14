"""Shift schedules: generation in the station's time zone (daylight saving, Asia/Shanghai, across
midnight), rotations of teams, idempotency, the nightly beat task with a bounded query count."""

import datetime
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope, scopes_disabled

from jointdefense.core.models import AuditEvent
from patrols.errors import PlanningError
from patrols.models import Schedule, Shift
from patrols.services import planning as services
from patrols.services import signups
from patrols.tasks import generate_shifts
from tests.factories import RouteFactory, StationFactory, TeamFactory, station_defaults

D = datetime.date
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture
def berlin(db):
    return station_defaults(StationFactory(slug="berlin", time_zone="Europe/Berlin"))


def make_schedule(station, officer=None, *, rotation=(), today=None, **fields):
    with scope(tenant=station):
        route = fields.pop("route", None) or RouteFactory(tenant=station)
        values = {
            "name": "Brigade",
            "kind": Schedule.Kind.DAILY,
            "start_time": datetime.time(8),
            "duration_minutes": 480,
            "shifts_per_day": 1,
            "headcount": 2,
            "valid_from": D(2026, 3, 1),
            **fields,
        }
        schedule = Schedule(tenant=station, route=route, **values)
        return services.schedule_save(schedule=schedule, actor=officer, rotation=rotation, today=today)


def shifts_between(station, schedule, start, end, tz):
    with scope(tenant=station):
        lo = datetime.datetime.combine(start, datetime.time(0), tzinfo=tz)
        hi = datetime.datetime.combine(end, datetime.time(0), tzinfo=tz)
        return list(
            Shift.objects.filter(tenant=station, schedule=schedule, starts_at__gte=lo, starts_at__lt=hi)
            .order_by("starts_at")
            .select_related("team")
        )


def rollup_places(station):
    """The station's places needed and filled in its rollups (``patrols.places``), all days."""
    from django.db.models import Sum

    from jointdefense.core.models import DailyCount

    with scopes_disabled():
        rows = (
            DailyCount.objects.filter(tenant=station, key="patrols.places", span=DailyCount.Span.DAY)
            .values_list("dimension")
            .annotate(n=Sum("count"))
        )
        return {dimension: n for dimension, n in rows if n}


def four_teams(station):
    with scopes_disabled():
        return [TeamFactory(tenant=station, name=f"Squad {n}") for n in range(1, 5)]


def test_four_teams_three_rotations_over_the_spring_change_in_berlin(berlin):
    """Berlin moves its clocks forward on Sunday 29 March 2026: the shifts stay at 08:00, 16:00 and
    00:00 local time, meet back to back, and the four teams take the shifts in turn."""
    teams = four_teams(berlin)
    schedule = make_schedule(
        berlin,
        kind=Schedule.Kind.ROTATION,
        shifts_per_day=3,
        rotation=teams,
        valid_from=D(2026, 3, 15),
        today=D(2026, 3, 15),
    )
    with scope(tenant=berlin):
        services.shifts_generate(schedules=[schedule], start=D(2026, 3, 15), end=D(2026, 4, 15))
    # the third shift of each day starts at midnight, on the next calendar day
    shifts = shifts_between(berlin, schedule, D(2026, 3, 15), D(2026, 4, 16), BERLIN)
    assert len(shifts) == 31 * 3
    local_starts = [s.starts_at.astimezone(BERLIN) for s in shifts]
    assert {(t.hour, t.minute) for t in local_starts} == {(8, 0), (16, 0), (0, 0)}
    # 08:00 local is 07:00 UTC before the change and 06:00 UTC after it
    eights = {t.date(): s.starts_at for t, s in zip(local_starts, shifts, strict=True) if t.hour == 8}
    assert eights[D(2026, 3, 28)].astimezone(datetime.UTC).hour == 7
    assert eights[D(2026, 3, 30)].astimezone(datetime.UTC).hour == 6
    # back to back: every shift ends when the next begins; the night of the change is an hour shorter
    for current, following in zip(shifts, shifts[1:], strict=False):
        assert current.ends_at == following.starts_at
    night = next(
        s
        for s in shifts
        if s.starts_at.astimezone(BERLIN) == datetime.datetime(2026, 3, 29, 0, 0, tzinfo=BERLIN)
    )
    assert night.ends_at - night.starts_at == datetime.timedelta(hours=7)
    # the teams take consecutive shifts in turn: 1, 2, 3, 4, 1, 2, …
    assert [s.team.name for s in shifts[:6]] == [
        "Squad 1",
        "Squad 2",
        "Squad 3",
        "Squad 4",
        "Squad 1",
        "Squad 2",
    ]
    assert all(s.team_id == teams[n % 4].pk for n, s in enumerate(shifts))


def test_autumn_change_in_berlin_makes_the_night_shift_an_hour_longer(berlin):
    schedule = make_schedule(
        berlin,
        name="Nights",
        start_time=datetime.time(22),
        duration_minutes=600,  # 22:00 to 08:00, across midnight
        valid_from=D(2026, 10, 10),
        today=D(2026, 10, 10),
    )
    with scope(tenant=berlin):
        services.shifts_generate(schedules=[schedule], start=D(2026, 10, 10), end=D(2026, 11, 10))
    shifts = shifts_between(berlin, schedule, D(2026, 10, 10), D(2026, 11, 10), BERLIN)
    assert len(shifts) == 31
    for s in shifts:
        start, end = s.starts_at.astimezone(BERLIN), s.ends_at.astimezone(BERLIN)
        assert (start.hour, end.hour) == (22, 8)
        assert end.date() == start.date() + datetime.timedelta(days=1)
    lengths = {s.starts_at.astimezone(BERLIN).date(): s.ends_at - s.starts_at for s in shifts}
    assert lengths[D(2026, 10, 24)] == datetime.timedelta(hours=11)  # clocks go back on the 25th
    assert lengths[D(2026, 10, 23)] == lengths[D(2026, 10, 26)] == datetime.timedelta(hours=10)


def test_weekly_night_shifts_in_shanghai_for_a_month(station_a):
    """Monday, Wednesday and Friday 22:00 to 02:00, China Standard Time (no daylight saving)."""
    schedule = make_schedule(
        station_a,
        name="Weekday nights",
        kind=Schedule.Kind.WEEKLY,
        weekdays=[5, 1, 3],
        start_time=datetime.time(22),
        duration_minutes=240,
        valid_from=D(2026, 3, 1),
        valid_until=D(2026, 3, 31),
        today=D(2026, 3, 1),
    )
    with scope(tenant=station_a):
        services.shifts_generate(schedules=[schedule], start=D(2026, 3, 1), end=D(2026, 5, 1))
    shifts = shifts_between(station_a, schedule, D(2026, 3, 1), D(2026, 5, 1), SHANGHAI)
    march = [D(2026, 3, d) for d in range(1, 32) if D(2026, 3, d).isoweekday() in (1, 3, 5)]
    assert [s.starts_at.astimezone(SHANGHAI).date() for s in shifts] == march  # none after valid_until
    for s in shifts:
        assert s.starts_at.astimezone(datetime.UTC).time() == datetime.time(14)
        assert s.ends_at.astimezone(SHANGHAI).time() == datetime.time(2)
    assert schedule.weekdays == [1, 3, 5]


def test_generating_twice_adds_nothing(station_a):
    schedule = make_schedule(station_a, shifts_per_day=2, duration_minutes=360, today=D(2026, 3, 1))
    with scope(tenant=station_a):
        before = Shift.objects.filter(tenant=station_a).count()
        services.shifts_generate(schedules=[schedule], start=D(2026, 3, 1), end=D(2026, 3, 29))
        services.shifts_generate(schedules=[schedule], start=D(2026, 3, 10), end=D(2026, 3, 29))
        assert Shift.objects.filter(tenant=station_a).count() == before == 28 * 2


def test_the_rotation_turn_does_not_depend_on_the_window(station_a):
    teams = four_teams(station_a)
    schedule = make_schedule(
        station_a, kind=Schedule.Kind.ROTATION, shifts_per_day=3, rotation=teams, today=D(2026, 3, 1)
    )
    with scope(tenant=station_a):
        Shift.objects.filter(tenant=station_a).delete()
        services.shifts_generate(schedules=[schedule], start=D(2026, 3, 2), end=D(2026, 3, 3))
    first = shifts_between(station_a, schedule, D(2026, 3, 2), D(2026, 3, 4), SHANGHAI)
    # day 1 after valid_from, shifts 3, 4, 5 of the sequence: squads 4, 1, 2
    assert [s.team.name for s in first] == ["Squad 4", "Squad 1", "Squad 2"]


@pytest.mark.parametrize(
    ("fields", "rotation", "message"),
    [
        ({"kind": Schedule.Kind.WEEKLY, "weekdays": []}, 0, "Choose the weekdays"),
        ({"kind": Schedule.Kind.ROTATION}, 1, "at least two teams"),
        ({"shifts_per_day": 4, "duration_minutes": 480}, 0, "do not fit in a day"),
        ({"duration_minutes": 10}, 0, "at least 15 minutes"),
        ({"valid_until": D(2026, 2, 1)}, 0, "ends before it starts"),
    ],
)
def test_impossible_schedules_are_refused_and_nothing_is_saved(station_a, fields, rotation, message):
    teams = four_teams(station_a)[:rotation]
    with pytest.raises(PlanningError, match=message):
        make_schedule(station_a, rotation=teams, **fields)
    with scope(tenant=station_a):
        assert not Schedule.objects.filter(tenant=station_a).exists()
        assert not Shift.objects.filter(tenant=station_a).exists()


def test_saving_a_schedule_generates_four_weeks_and_is_audited(station_a, officer_a):
    today = datetime.date.today()
    schedule = make_schedule(station_a, officer_a, valid_from=today, today=today)
    with scope(tenant=station_a):
        assert Shift.objects.filter(tenant=station_a, schedule=schedule).count() == 28
        event = AuditEvent.objects.get(tenant=station_a, action="schedule.created")
        assert event.actor == officer_a and event.data["shifts_generated"] == 28


def test_changing_a_schedule_replaces_untouched_future_shifts(station_a, officer_a, patroller_a):
    today = datetime.date.today()
    schedule = make_schedule(station_a, officer_a, valid_from=today, today=today + datetime.timedelta(days=1))
    with scope(tenant=station_a):
        taken = Shift.objects.filter(tenant=station_a, schedule=schedule).order_by("starts_at")[3]
        signups.shift_signup(shift=taken, volunteer=patroller_a)
        schedule.start_time = datetime.time(9)
        services.schedule_save(schedule=schedule, actor=officer_a, today=today + datetime.timedelta(days=1))
        starts = [
            s.starts_at.astimezone(SHANGHAI).hour
            for s in Shift.objects.filter(tenant=station_a, schedule=schedule)
        ]
        assert starts.count(8) == 1  # the shift someone signed up for stays
        assert starts.count(9) == 28


def test_nightly_task_generates_for_every_station_in_a_bounded_number_of_queries(station_a, station_b):
    for station in (station_a, station_b):
        for n in range(3):
            make_schedule(station, name=f"S{n}", valid_from=datetime.date.today(), is_active=False)
    with scopes_disabled():
        Schedule.objects.update(is_active=True)
        assert Shift.objects.count() == 0
    with CaptureQueriesContext(connection) as queries:
        generate_shifts()
    # schedules with stations, their rotations; for the day the stations share, a transaction
    # (savepoint and release in the test's own) locking the schedules, finding the shifts there
    # are, one INSERT and one rollup statement per station; and the final empty batch
    assert len(queries) <= 4 + 6
    with scopes_disabled():
        assert Shift.objects.count() == 6 * 28
    generate_shifts()  # a second beat, or a retry: nothing more
    with scopes_disabled():
        assert Shift.objects.count() == 6 * 28
    for station in (station_a, station_b):  # the places needed of each station's own shifts, once
        assert rollup_places(station) == {"needed": 3 * 28 * 2}


@pytest.mark.slow
def test_shifts_are_generated_once_when_two_beats_fire_at_the_same_moment(transactional_db, station_a):
    """Two deliveries of the task running at once, each in its own thread and connection: each
    shift once (the unique schedule + start decides, not the timing)."""
    from tests.support import race

    make_schedule(
        station_a, shifts_per_day=3, duration_minutes=480, valid_from=datetime.date.today(), is_active=False
    )
    with scopes_disabled():
        Schedule.objects.update(is_active=True)
    race(generate_shifts.apply, generate_shifts.apply)
    with scopes_disabled():
        assert Shift.objects.count() == 28 * 3
    assert rollup_places(station_a) == {"needed": 28 * 3 * 2}  # counted by the beat that made them


def test_a_start_in_the_spring_gap_moves_forward_and_the_chain_stays_unbroken(berlin):
    """02:30 does not exist in Berlin on 29 March 2026: that shift starts at 03:30 summer time (the
    same instant as 02:30 winter time), the shift before it ends exactly then, and it still ends at
    10:30 local."""
    schedule = make_schedule(
        berlin,
        name="Small hours",
        start_time=datetime.time(18, 30),
        duration_minutes=480,
        shifts_per_day=2,  # 18:30–02:30 and 02:30–10:30
        valid_from=D(2026, 3, 28),
        today=D(2026, 3, 28),
    )
    with scope(tenant=berlin):
        services.shifts_generate(schedules=[schedule], start=D(2026, 3, 28), end=D(2026, 3, 30))
    shifts = shifts_between(berlin, schedule, D(2026, 3, 28), D(2026, 3, 31), BERLIN)
    gap = next(s for s in shifts if s.starts_at == datetime.datetime(2026, 3, 29, 1, 30, tzinfo=datetime.UTC))
    assert gap.starts_at.astimezone(BERLIN).strftime("%H:%M %Z") == "03:30 CEST"
    before = next(s for s in shifts if s.ends_at == gap.starts_at)
    assert before.starts_at.astimezone(BERLIN).strftime("%H:%M %Z") == "18:30 CET"
    assert gap.ends_at.astimezone(BERLIN).strftime("%H:%M %Z") == "10:30 CEST"
