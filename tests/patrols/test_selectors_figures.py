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

from jointdefense.core.periods import Period
from patrols.models import CheckIn, Patrol, Signup
from patrols.selectors import figures as f
from tests.factories import CheckpointFactory, RouteFactory, ShiftFactory, active_volunteer

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
    with scope(tenant=berlin):
        assert f.shift_coverage(berlin, WEEK) == Decimal(75)  # 3 of 4
        assert f.shift_coverage(berlin, WEEK.previous()) is None
