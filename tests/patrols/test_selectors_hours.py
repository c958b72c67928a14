"""Patrol hours derived from check-ins (patrols.selectors.hours): from the first to the last counted
check-in, a cleared flag counting after all, capped by the shift; the report per volunteer and team."""

import datetime

import pytest
from django_scopes import scope, scopes_disabled

from jointdefense.core.models import AuditEvent
from patrols.selectors import hours
from patrols.services import field
from tests.factories import MINUTE, at, check_in


def test_hours_run_from_the_first_to_the_last_counted_check_in(patrol_a, patroller_a, checkpoints, shift_a):
    t0 = shift_a.starts_at + 5 * MINUTE
    check_in(patroller_a, checkpoints[0], t0, now=t0)
    check_in(patroller_a, checkpoints[1], t0 + 60 * MINUTE, now=t0 + 60 * MINUTE)
    flagged, _ = check_in(
        patroller_a, checkpoints[2], t0 + 90 * MINUTE, position=at(checkpoints[2], 300), now=t0 + 90 * MINUTE
    )
    with scope(tenant=patroller_a.tenant):
        assert hours.patrol_hours(patrol_a) == pytest.approx(1.0)
        field.check_in_review(check_in=flagged, actor=None, decision="clear", note="GPS in the underpass")
        assert hours.patrol_hours(patrol_a) == pytest.approx(1.5)
    with scopes_disabled():
        event = AuditEvent.objects.get(action="checkin.cleared")
        assert event.data["flags"] == ["outside_radius"] and event.data["note"] == "GPS in the underpass"


def test_hours_are_capped_by_the_shift(patrol_a, patroller_a, checkpoints, shift_a):
    early = shift_a.starts_at - 10 * MINUTE
    late = shift_a.ends_at + 10 * MINUTE
    check_in(patroller_a, checkpoints[0], early, now=early)
    check_in(patroller_a, checkpoints[1], late, now=late)
    with scope(tenant=patroller_a.tenant):
        assert hours.patrol_hours(patrol_a) == pytest.approx(4.0)


def test_hours_report_per_volunteer_and_team(patrol_a, patroller_a, checkpoints, shift_a, station_a, team_a):
    t0 = shift_a.starts_at
    check_in(patroller_a, checkpoints[0], t0, now=t0)
    check_in(patroller_a, checkpoints[1], t0 + 120 * MINUTE, now=t0 + 120 * MINUTE)
    with scope(tenant=station_a):
        report = hours.hours_report(
            tenant=station_a, start=t0 - datetime.timedelta(days=1), end=t0 + datetime.timedelta(days=1)
        )
    assert [(v.name, round(v.hours, 2), v.patrols) for v in report.volunteers] == [("Patroller A", 2.0, 1)]
    assert [(t.name, round(t.hours, 2)) for t in report.teams] == [("Garden Patrol", 2.0)]
    assert report.total_hours == pytest.approx(2.0)
