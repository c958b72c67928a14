"""The patrols' section of the weekly summary: shifts short of people in the seven days after the
summarised week (its end included, the seventh day's end excluded), the soonest first."""

import datetime
import json

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from patrols.models import Signup
from patrols.selectors.summary import short_shifts_next_week
from patrols.summary import SECTIONS
from tests.factories import RouteFactory, ShiftFactory, active_volunteer

pytestmark = pytest.mark.django_db

AS_OF = timezone.now().replace(microsecond=0) + datetime.timedelta(days=1)
DAY = datetime.timedelta(days=1)


def test_short_shifts_of_next_week(station_a, officer_a, station_b, team_a):
    with scopes_disabled():
        route = RouteFactory(tenant=station_a, name="Garden ring")

        def shift(starts_in, headcount=2, people=0, **fields):
            s = ShiftFactory(route=route, starts_at=AS_OF + starts_in, headcount=headcount, **fields)
            for _ in range(people):
                Signup.objects.create(
                    tenant=station_a, shift=s, volunteer=active_volunteer(station_a, officer_a)
                )
            return s

        first = shift(datetime.timedelta(0), team=team_a)  # the window's first instant: in
        one_short = shift(3 * DAY, people=1)
        last = shift(7 * DAY - datetime.timedelta(seconds=1))
        shift(7 * DAY)  # the window's end: out
        shift(-datetime.timedelta(seconds=1))  # in the summarised week: out
        shift(2 * DAY, people=2)  # full
        shift(2 * DAY, is_cancelled=True)
        withdrawn = shift(4 * DAY, headcount=1, people=1)
        Signup.objects.filter(shift=withdrawn).update(withdrawn_at=AS_OF)  # withdrew: short again
        ShiftFactory(route=RouteFactory(tenant=station_b), starts_at=AS_OF + DAY)
    with scope(tenant=station_a):
        rows = list(short_shifts_next_week(stations=[station_a], as_of=AS_OF))
        assert rows == [first, one_short, withdrawn, last]
        row = json.loads(json.dumps(SECTIONS[0].row(rows[1], station_a)))
        assert SECTIONS[0].row(rows[0], station_a)["team"] == str(team_a)
    assert (row["route"], row["signed_up"], row["needed"]) == ("Garden ring", 1, 2)
    assert row["url"] == f"/s/{station_a.slug}/patrols/shifts/{one_short.pk}/"
