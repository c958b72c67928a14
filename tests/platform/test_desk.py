"""The officer's desk (/s/<station>/desk/ and /api/s/<station>/desk/): the sections the apps
register, each with its count, its first rows (each linking to its page), its full list, and a
friendly sentence when empty; the officers' landing page; staff only; a fixed number of queries."""

import datetime
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from incidents.models import Category, Report, ReturnVisit
from jointdefense.tenancy.navigation import navigation_for
from patrols.models import CheckIn, Patrol
from tests.factories import (
    CheckpointFactory,
    RouteFactory,
    ShiftFactory,
    VolunteerFactory,
    active_volunteer,
    course_made,
    enrolled,
    session_made,
)
from tests.support import answer_as_documented

pytestmark = pytest.mark.django_db

SECTIONS = [
    "my-cases",
    "to-triage",
    "visits-due",
    "flagged-check-ins",
    "short-shifts",
    "applications",
    "training-places",
    "training-attendance",
]


def desk_url(station):
    return reverse("tenancy:desk", kwargs={"station": station.slug})


def fill(station, officer, size):
    """``size`` rows in every section of ``officer``'s desk at ``station``; returns them by section."""
    now = timezone.now()
    rows = {key: [] for key in SECTIONS}
    with scope(tenant=station):
        theft = Category.objects.get(tenant=station, slug="theft")
        point = station.boundary.centroid

        def report(n, status, **fields):
            return Report.objects.create(
                tenant=station,
                tracking_code=f"{status[:3].upper()}{n:05d}",
                category=theft,
                description=f"{status} report {n}",
                location=point,
                public_location=point,
                status=status,
                created_at=now - datetime.timedelta(hours=n + 1),
                **fields,
            )

        volunteer = active_volunteer(station, officer)
        route = RouteFactory(tenant=station)
        checkpoint = CheckpointFactory(route=route, position=1)
        patrol = Patrol.objects.create(tenant=station, route=route, volunteer=volunteer)
        course = course_made(station)
        for n in range(size):
            rows["my-cases"].append(report(n, "assigned", assigned_officer=officer))
            rows["to-triage"].append(report(n, "new"))
            resolved = report(n, "resolved", assigned_officer=officer)
            rows["visits-due"].append(
                ReturnVisit.objects.create(
                    tenant=station, report=resolved, level="officer", assignee=officer, due_at=now
                )
            )
            rows["flagged-check-ins"].append(
                CheckIn.objects.create(
                    tenant=station,
                    patrol=patrol,
                    checkpoint=checkpoint,
                    client_id=uuid.uuid4(),
                    device_time=now,
                    flags=["outside_radius"],
                    review="flagged",
                )
            )
            rows["short-shifts"].append(
                ShiftFactory(route=route, starts_at=now + datetime.timedelta(hours=n + 1))
            )
            rows["applications"].append(VolunteerFactory(tenant=station))
            rows["training-places"].append(session_made(course, starts_in=datetime.timedelta(days=2)))
            held = session_made(course, starts_in=-datetime.timedelta(days=2))
            enrolled(held, volunteer)
            rows["training-attendance"].append(held)
    return rows


def sections_of(response):
    return {s["key"]: s for s in response.json()["sections"]}


def test_officer_lands_on_the_desk(rf, station_a, officer_a):
    request = rf.get("/")
    request.tenant, request.user = station_a, officer_a
    request.resolver_match = None
    assert navigation_for(request)["landing"]["url"] == desk_url(station_a)


def test_every_section_shows_its_rows_count_and_full_list(login, station_a, officer_a, station_b, officer_b):
    mine = fill(station_a, officer_a, 2)
    theirs = fill(station_b, officer_b, 1)
    client = login(officer_a)

    page = client.get(desk_url(station_a))
    api = client.get(reverse("api:desk", kwargs={"station": station_a.slug}))

    assert page.status_code == 200 and api.status_code == 200
    sections = sections_of(api)
    # the visits' resolved reports are the officer's open cases too
    expected = {**dict.fromkeys(SECTIONS, 2), "my-cases": 4}
    assert list(sections) == SECTIONS
    assert {key: s["count"] for key, s in sections.items()} == expected
    for key in SECTIONS:
        ids = {item["id"] for item in sections[key]["items"]}
        assert {row.pk for row in mine[key]} <= ids or key == "visits-due"
        assert not {row.pk for row in theirs[key]} & ids - {row.pk for row in mine[key]}
        for item in sections[key]["items"]:
            assert client.get(item["url"]).status_code == 200, (key, item["url"])
        assert client.get(sections[key]["more_url"]).status_code == 200
    assert {i["id"] for i in sections["visits-due"]["items"]} == {v.pk for v in mine["visits-due"]}
    html = page.content.decode()
    for key in SECTIONS:
        assert f'data-testid="desk-{key}"' in html
    for item in sections["to-triage"]["items"]:
        assert f'href="{item["url"]}"' in html
    assert "another" not in html  # no other station's row (their reports say "… report 0" too)
    assert "desk-empty" not in html


def test_another_stations_rows_never_appear(login, station_a, officer_a, station_b, officer_b):
    fill(station_b, officer_b, 2)
    answer = login(officer_a).get(reverse("api:desk", kwargs={"station": station_a.slug}))
    assert all(s["count"] == 0 and s["items"] == [] for s in answer.json()["sections"])


def test_empty_sections_say_so(login, station_a, officer_a):
    page = login(officer_a).get(desk_url(station_a)).content.decode()
    assert page.count('data-testid="desk-empty"') == len(SECTIONS)
    assert "No open cases on your desk. Well done." in page
    assert "Every shift of the next 48 hours has the people it needs." in page


def test_volunteer_gets_403_page_and_api(login, station_a, volunteer_a):
    client = login(volunteer_a)
    assert client.get(desk_url(station_a)).status_code == 403
    assert client.get(reverse("api:desk", kwargs={"station": station_a.slug})).status_code == 403


def test_outsider_gets_404(login, station_a, officer_b):
    client = login(officer_b)
    assert client.get(desk_url(station_a)).status_code == 404
    assert client.get(reverse("api:desk", kwargs={"station": station_a.slug})).status_code == 404


def test_chief_sees_the_desk_too(login, station_a, chief_a):
    assert login(chief_a).get(desk_url(station_a)).status_code == 200


@pytest.mark.parametrize("size", [2, 20])
def test_page_query_count_is_constant(size, login, station_a, officer_a, django_assert_num_queries):
    fill(station_a, officer_a, size)
    client = login(officer_a)
    client.get(desk_url(station_a))  # the session's first use
    # 1 the station, 2 the session, 3 the user, 4 the user's roles in the station;
    # then a count and the first rows of each section: 5-6 my open cases, 7-8 reports to triage,
    # 9-10 my return visits due, 11-12 flagged check-ins, 13-14 short shifts, 15-16 applications,
    # 17-18 sessions with free places, 19-20 sessions to record; 21 the station switcher's memberships
    with django_assert_num_queries(21):
        assert client.get(desk_url(station_a)).status_code == 200


def test_api_answers_as_the_schema_says(station_a, officer_a):
    fill(station_a, officer_a, 2)
    answer = answer_as_documented(officer_a, "GET", "/api/s/{station}/desk/", station=station_a.slug)
    sections = sections_of(answer)
    # the resolved cases' visits were due at fill time: overdue now, so those cases come first
    assert [i["urgent"] for i in sections["my-cases"]["items"]] == [True, True, False, False]
    assert [i["urgent"] for i in sections["visits-due"]["items"]] == [True, True]
