"""Fixtures of the patrols tests (a route with three checkpoints, a shift under way, a sign-up, a
started patrol). The helpers (``at``, ``check_in``, ``MINUTE``) are in tests/factories.py."""

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from patrols.models import Signup
from patrols.services import field
from tests.factories import MINUTE, CheckpointFactory, RouteFactory, ShiftFactory


@pytest.fixture
def route_a(station_a):
    with scopes_disabled():
        route = RouteFactory(tenant=station_a, name="Garden loop", tier="community")
        for position, name in ((1, "North gate"), (2, "Market"), (3, "School")):
            CheckpointFactory(route=route, position=position, name=name)
    return route


@pytest.fixture
def checkpoints(route_a):
    with scopes_disabled():
        return list(route_a.checkpoints.order_by("position"))


@pytest.fixture
def shift_a(route_a, team_a):
    """A shift that started ten minutes ago and runs four hours."""
    now = timezone.now().replace(microsecond=0)
    with scopes_disabled():
        return ShiftFactory(
            route=route_a, team=team_a, starts_at=now - 10 * MINUTE, ends_at=now + 230 * MINUTE, headcount=2
        )


@pytest.fixture
def signed_up(shift_a, patroller_a):
    with scopes_disabled():
        return Signup.objects.create(tenant=shift_a.tenant, shift=shift_a, volunteer=patroller_a)


@pytest.fixture
def patrol_a(signed_up, shift_a, patroller_a, station_a):
    with scope(tenant=station_a):
        return field.patrol_start(shift=shift_a, volunteer=patroller_a, actor=patroller_a.user)
