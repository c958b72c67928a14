"""Shared fixtures and helpers of the patrols-in-the-field tests (a route with three checkpoints,
a shift under way, a sign-up, a started patrol). Star-imported by tests/test_patrol_field*.py."""

import datetime
import math
import uuid

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from patrols import field
from patrols.models import Signup

from .factories import CheckpointFactory, RouteFactory, ShiftFactory

__all__ = ["MINUTE", "at", "check_in", "checkpoints", "patrol_a", "route_a", "shift_a", "signed_up"]

MINUTE = datetime.timedelta(minutes=1)


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


def at(checkpoint, metres_east=0.0):
    """A point ``metres_east`` of the checkpoint."""
    dx = metres_east / (111_320 * math.cos(math.radians(checkpoint.location.y)))
    return {"lat": checkpoint.location.y, "lng": checkpoint.location.x + dx}


def check_in(volunteer, checkpoint, when, client_id=None, **extra):
    position = extra.pop("position", at(checkpoint))
    with scope(tenant=volunteer.tenant):
        return field.check_in_submit(
            volunteer=volunteer,
            qr_token=checkpoint.qr_token,
            client_id=client_id or uuid.uuid4(),
            device_time=when,
            **position,
            accuracy_m=extra.pop("accuracy_m", 8),
            **extra,
        )
