"""teams.services.rewards: redemptions hold points and stock; refusing gives both back."""

import datetime

import pytest
from django.utils import timezone
from django_scopes import scope

from jointdefense.core.periods import Period
from teams.errors import PointsError
from teams.models import PointEntry, Reward, Volunteer
from teams.selectors.figures import points_redeemed
from teams.selectors.points import balance, earned_points
from teams.services.rewards import redemption_approve, redemption_refuse, redemption_request
from tests.factories import award_points

S = Volunteer.Status
TODAY = datetime.date(2026, 11, 1)


def test_redemption_holds_points_and_stock_and_refusal_returns_both(patroller_a, chief_a, station_a):
    with scope(tenant=station_a):
        award_points(patroller_a, "clue:1", kind="case_assisted")  # 120 points
        mug = Reward.objects.create(tenant=station_a, kind="item", name="Thermos", cost_points=100, stock=3)
        redemption = redemption_request(volunteer=patroller_a, reward=mug, actor=patroller_a.user)
        mug.refresh_from_db()
        assert (balance(volunteer=patroller_a), mug.stock) == (20, 2)
        assert earned_points(volunteer=patroller_a) == 120  # spending does not lower titles
        redemption_refuse(redemption=redemption, actor=chief_a, reason="Out of season.")
        mug.refresh_from_db()
        assert (balance(volunteer=patroller_a), mug.stock) == (120, 3)
        with pytest.raises(PointsError):
            redemption_approve(redemption=redemption, actor=chief_a)


def test_redemption_needs_enough_points_and_stock(patroller_a, station_a):
    with scope(tenant=station_a):
        award_points(patroller_a, "patrol:1")
        mug = Reward.objects.create(tenant=station_a, kind="item", name="Thermos", cost_points=100, stock=3)
        with pytest.raises(PointsError):
            redemption_request(volunteer=patroller_a, reward=mug, actor=None)
        award_points(patroller_a, "clue:2", kind="case_assisted")
        empty = Reward.objects.create(tenant=station_a, kind="item", name="Torch", cost_points=10, stock=0)
        with pytest.raises(PointsError):
            redemption_request(volunteer=patroller_a, reward=empty, actor=None)
        assert balance(volunteer=patroller_a) == 130


def test_a_redemption_made_earlier_is_dated_then_in_the_ledger(patroller_a, station_a):
    """``requested_at`` (the demo's history): the append-only ledger's entry is written with it, so
    the dashboard's points redeemed count it in its own week."""
    earlier = timezone.now().replace(microsecond=0) - datetime.timedelta(days=10)
    with scope(tenant=station_a):
        award_points(patroller_a, "clue:3", kind="case_assisted")
        mug = Reward.objects.create(tenant=station_a, kind="item", name="Thermos", cost_points=100, stock=3)
        redemption = redemption_request(volunteer=patroller_a, reward=mug, actor=None, requested_at=earlier)
        redemption.refresh_from_db()
        entry = PointEntry.objects.get(redemption=redemption)
        assert redemption.requested_at == earlier and entry.created_at == earlier
        day = timezone.localtime(earlier, station_a.zoneinfo).date()
        assert points_redeemed(station_a, Period.containing("week", day, station_a.zoneinfo)) == 100
