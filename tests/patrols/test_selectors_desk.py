"""The patrols' desk sections hold exactly the right rows: flagged check-ins oldest first, and
shifts short of people that start in the next 48 hours (from now, the 48th hour excluded)."""

import datetime
import uuid

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from patrols.models import CheckIn, Signup
from patrols.selectors.desk import flagged_check_ins, short_shifts
from tests.factories import RouteFactory, ShiftFactory, active_volunteer

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)


def test_flagged_check_ins_oldest_first_of_this_station_only(patrol_a, checkpoints, station_a, station_b):
    now = timezone.now()

    def made(review, minutes_ago):
        with scope(tenant=station_a):
            return CheckIn.objects.create(
                tenant=station_a,
                patrol=patrol_a,
                checkpoint=checkpoints[0],
                client_id=uuid.uuid4(),
                device_time=now,
                received_at=now - datetime.timedelta(minutes=minutes_ago),
                flags=["outside_radius"] if review != "ok" else [],
                review=review,
            )

    newer = made("flagged", 5)
    older = made("flagged", 50)
    made("ok", 60)
    made("cleared", 70)
    made("rejected", 80)

    with scope(tenant=station_a):
        assert list(flagged_check_ins(tenant=station_a)) == [older, newer]
    with scope(tenant=station_b):
        assert list(flagged_check_ins(tenant=station_b)) == []


def test_short_shifts_in_the_48_hour_window(station_a, officer_a, station_b):
    now = timezone.now().replace(microsecond=0)
    with scopes_disabled():
        route = RouteFactory(tenant=station_a)

        def shift(starts_in, headcount=2, people=0, **fields):
            s = ShiftFactory(route=route, starts_at=now + starts_in, headcount=headcount, **fields)
            for _ in range(people):
                volunteer = active_volunteer(station_a, officer_a)
                Signup.objects.create(tenant=station_a, shift=s, volunteer=volunteer)
            return s

        at_start = shift(datetime.timedelta(0))  # the window's first instant: in
        one_short = shift(47 * HOUR, people=1)
        last_second = shift(48 * HOUR - datetime.timedelta(seconds=1))
        shift(48 * HOUR)  # the window's end: out
        shift(-datetime.timedelta(seconds=1))  # started already: out
        shift(3 * HOUR, people=2)  # full
        shift(4 * HOUR, is_cancelled=True)  # cancelled
        withdrawn = shift(5 * HOUR, headcount=1, people=1)
        Signup.objects.filter(shift=withdrawn).update(withdrawn_at=now)  # withdrew: short again
        ShiftFactory(route=RouteFactory(tenant=station_b), starts_at=now + HOUR)  # another station

    with scope(tenant=station_a):
        rows = list(short_shifts(tenant=station_a, now=now))

    assert rows == [at_start, withdrawn, one_short, last_second]
    assert [s.signed_up for s in rows] == [0, 0, 1, 0]
