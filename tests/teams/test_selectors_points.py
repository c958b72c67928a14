"""teams.selectors.points: months, the station's rules, and the ledger with what was corrected."""

import datetime

import pytest
from django_scopes import scope

from teams.selectors.points import ledger_with_reversed, month_bounds, point_rule_list
from teams.services.points import point_rule_update, points_award, points_reverse

pytestmark = pytest.mark.django_db


def test_month_bounds_cross_the_year():
    assert month_bounds(datetime.date(2026, 12, 17)) == (
        datetime.date(2026, 12, 1),
        datetime.date(2027, 1, 1),
    )
    assert month_bounds(datetime.date(2026, 2, 28)) == (datetime.date(2026, 2, 1), datetime.date(2026, 3, 1))


def test_rules_in_use_leave_the_switched_off_ones_out(station_a, chief_a):
    with scope(tenant=station_a):
        every = list(point_rule_list(tenant=station_a))
        assert [r.kind for r in every] == sorted(r.kind for r in every)
        point_rule_update(
            rule=every[0],
            actor=chief_a,
            base_points=every[0].base_points,
            difficulty_factor="1",
            is_active=False,
        )
        active = list(point_rule_list(tenant=station_a, active_only=True))
    assert len(active) == len(every) - 1 and every[0] not in active


def test_the_ledger_says_which_entries_were_corrected(station_a, chief_a, patroller_a):
    with scope(tenant=station_a):
        first, _ = points_award(
            tenant=station_a, volunteer=patroller_a, kind="patrol_hour", idempotency_key="k:1"
        )
        second, _ = points_award(
            tenant=station_a, volunteer=patroller_a, kind="patrol_hour", idempotency_key="k:2"
        )
        points_reverse(entry=first, actor=chief_a, reason="Counted twice")
        entries = {e.pk: e.is_reversed for e in ledger_with_reversed(volunteer=patroller_a)}
    assert entries[first.pk] is True and entries[second.pk] is False
