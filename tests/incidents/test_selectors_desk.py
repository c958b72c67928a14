"""The incidents' desk sections hold exactly the right rows: my open cases (overdue first, then the
oldest), new reports waiting for triage, my return visits due this week (station time)."""

import datetime

import pytest
from django.utils import timezone
from django_scopes import scope

from incidents.models import Category, Report, ReturnVisit
from incidents.selectors.desk import my_open_cases, my_visits_due, reports_to_triage, week_end

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def case(station, community, *, days_old, status="assigned", officer=None, code=None):
    with scope(tenant=station):
        return Report.objects.create(
            tenant=station,
            tracking_code=code or f"T{status[:3]}{days_old}{officer.pk if officer else 0}"[:16],
            category=Category.objects.get(tenant=station, slug="theft"),
            description="Bike stolen",
            location=community.boundary.centroid,
            public_location=community.boundary.centroid,
            status=status,
            assigned_officer=officer,
            created_at=NOW - datetime.timedelta(days=days_old),
        )


def visit(report, assignee, *, due_in, visited=False, level="officer"):
    with scope(tenant=report.tenant):
        return ReturnVisit.objects.create(
            tenant=report.tenant,
            report=report,
            level=level,
            assignee=assignee,
            due_at=NOW + due_in,
            visited_at=NOW if visited else None,
        )


def test_my_open_cases_overdue_first_then_oldest(
    station_a, community_a, officer_a, chief_a, station_b, community_b, officer_b
):
    young = case(station_a, community_a, days_old=1, officer=officer_a)
    old = case(station_a, community_a, days_old=9, status="in_progress", officer=officer_a)
    late_young = case(station_a, community_a, days_old=2, status="resolved", officer=officer_a)
    visit(late_young, officer_a, due_in=-datetime.timedelta(hours=1))  # past due, not made: overdue
    late_old = case(station_a, community_a, days_old=5, status="resolved", officer=officer_a)
    visit(late_old, officer_a, due_in=-datetime.timedelta(days=2))
    made = case(station_a, community_a, days_old=6, status="resolved", officer=officer_a)
    visit(made, officer_a, due_in=-datetime.timedelta(days=1), visited=True)  # made late: not overdue
    # not mine, or not open: never shown
    case(station_a, community_a, days_old=3, officer=chief_a)
    case(station_a, community_a, days_old=4, status="closed", officer=officer_a)
    case(station_a, community_a, days_old=4, status="rejected", officer=officer_a)
    case(station_a, community_a, days_old=7, status="new")
    case(station_b, community_b, days_old=8, officer=officer_b)

    with scope(tenant=station_a):
        rows = list(my_open_cases(tenant=station_a, user=officer_a, now=NOW))

    assert [r.pk for r in rows] == [late_old.pk, late_young.pk, old.pk, made.pk, young.pk]
    assert [r.overdue for r in rows] == [True, True, False, False, False]


def test_reports_to_triage_are_the_new_ones_longest_waiting_first(
    station_a, community_a, officer_a, station_b, community_b
):
    first = case(station_a, community_a, days_old=3, status="new")
    second = case(station_a, community_a, days_old=1, status="new")
    case(station_a, community_a, days_old=5, status="triaged")
    case(station_a, community_a, days_old=5, status="assigned", officer=officer_a)
    case(station_b, community_b, days_old=9, status="new")

    with scope(tenant=station_a):
        assert list(reports_to_triage(tenant=station_a)) == [first, second]


def test_week_end_is_the_next_local_monday_midnight(station_a):
    station_a.time_zone = "Asia/Shanghai"
    # Sunday 23:30 in Shanghai is Sunday 15:30 UTC: the week ends half an hour later
    sunday_late = datetime.datetime(2026, 3, 1, 15, 30, tzinfo=datetime.UTC)
    assert week_end(station_a, sunday_late) == datetime.datetime(2026, 3, 1, 16, 0, tzinfo=datetime.UTC)
    # Monday 00:30 in Shanghai (Sunday 16:30 UTC) belongs to the new week
    monday_early = datetime.datetime(2026, 3, 1, 16, 30, tzinfo=datetime.UTC)
    assert week_end(station_a, monday_early) == datetime.datetime(2026, 3, 8, 16, 0, tzinfo=datetime.UTC)


def test_my_visits_due_this_week_overdue_included_earliest_first(
    station_a, community_a, officer_a, chief_a, station_b, community_b, officer_b
):
    end = week_end(station_a, NOW)
    report = case(station_a, community_a, days_old=5, status="resolved", officer=officer_a)
    late = visit(report, officer_a, due_in=-datetime.timedelta(days=1))
    last_minute = visit(report, officer_a, due_in=end - NOW - datetime.timedelta(seconds=1), level="chief")
    other = case(station_a, community_a, days_old=4, status="resolved", officer=officer_a)
    visit(other, officer_a, due_in=end - NOW, level="officer")  # due at the week's end: next week
    visit(other, officer_a, due_in=-datetime.timedelta(days=3), visited=True, level="chief")  # made
    visit(other, chief_a, due_in=datetime.timedelta(hours=1), level="bureau")  # someone else's
    theirs = case(station_b, community_b, days_old=4, status="resolved", officer=officer_b)
    visit(theirs, officer_a, due_in=datetime.timedelta(hours=1))  # another station's row

    with scope(tenant=station_a):
        rows = list(my_visits_due(tenant=station_a, user=officer_a, now=NOW))

    assert rows == [late, last_minute]
    assert [v.overdue for v in rows] == [True, False]
