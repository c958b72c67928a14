"""The incidents' sections of the weekly summary hold exactly the right rows, as things stood at
the end of the week: open cases past their deadline (a return visit not made, due before then),
the longest late first; return visits falling due in the seven days after."""

import datetime
import json

import pytest
from django.utils import timezone
from django_scopes import scope

from incidents.models import Category, Report, ReturnVisit
from incidents.selectors.summary import cases_past_deadline, visits_due_next_week
from incidents.summary import SECTIONS

pytestmark = pytest.mark.django_db

AS_OF = timezone.now().replace(microsecond=0) - datetime.timedelta(days=2)
DAY = datetime.timedelta(days=1)


def case(station, community, *, status="resolved", officer=None):
    with scope(tenant=station):
        return Report.objects.create(
            tenant=station,
            tracking_code=f"S{Report.objects.count()}{status[:3]}",
            category=Category.objects.get(tenant=station, slug="theft"),
            description="Bike stolen",
            location=community.boundary.centroid,
            public_location=community.boundary.centroid,
            status=status,
            assigned_officer=officer,
        )


def visit(report, *, due, visited=False, level="officer", assignee=None):
    with scope(tenant=report.tenant):
        return ReturnVisit.objects.create(
            tenant=report.tenant,
            report=report,
            level=level,
            assignee=assignee,
            due_at=due,
            visited_at=due if visited else None,
        )


def test_open_cases_past_their_deadline_the_longest_late_first(
    station_a, community_a, officer_a, station_b, community_b
):
    late = case(station_a, community_a, officer=officer_a)
    visit(late, due=AS_OF - DAY)
    later = case(station_a, community_a, status="in_progress")
    visit(later, due=AS_OF - 5 * DAY, level="officer")
    visit(later, due=AS_OF - 2 * DAY, level="chief")  # two late visits: counted once, from the first
    just = case(station_a, community_a)
    visit(just, due=AS_OF - datetime.timedelta(seconds=1))
    # not past the deadline at the week's end, or not open, or elsewhere: left out
    visit(case(station_a, community_a), due=AS_OF)  # due at the very end: not late yet
    visit(case(station_a, community_a), due=AS_OF - DAY, visited=True)  # made
    visit(case(station_a, community_a, status="closed"), due=AS_OF - DAY)
    case(station_a, community_a, status="assigned")  # no visit owed yet
    visit(case(station_b, community_b), due=AS_OF - DAY)
    with scope(tenant=station_a):
        rows = list(cases_past_deadline(stations=[station_a], as_of=AS_OF))
        assert rows == [later, late, just]
        assert rows[0].late_since == AS_OF - 5 * DAY
        row = SECTIONS[0].row(rows[1], station_a)
    json.dumps(row)
    assert row["officer"] == officer_a.full_name
    assert row["category"] == "Theft"
    assert row["url"] == f"/s/{station_a.slug}/reports/{late.pk}/"


def test_return_visits_due_in_the_seven_days_after_the_week(
    station_a, community_a, officer_a, station_b, community_b
):
    first = visit(case(station_a, community_a), due=AS_OF, assignee=officer_a)  # the first instant: in
    last = visit(case(station_a, community_a), due=AS_OF + 7 * DAY - datetime.timedelta(seconds=1))
    visit(case(station_a, community_a), due=AS_OF + 7 * DAY)  # the window's end: out
    visit(case(station_a, community_a), due=AS_OF - DAY)  # late: in the other section
    visit(case(station_a, community_a), due=AS_OF + DAY, visited=True)  # made already
    visit(case(station_b, community_b), due=AS_OF + DAY)
    with scope(tenant=station_a):
        rows = list(visits_due_next_week(stations=[station_a], as_of=AS_OF))
        assert rows == [first, last]
        row = SECTIONS[1].row(rows[0], station_a)
    assert json.loads(json.dumps(row))["visitor"] == officer_a.full_name
    assert datetime.datetime.fromisoformat(row["due"]) == AS_OF
