"""Every training list, page and API, costs the same number of queries for 2 rows and for 20
(asserted, a comment per query): the station filled by ``filled`` has ``size`` of everything."""

import datetime

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from teams.models import TeamMember
from tests.factories import (
    TeamFactory,
    certificate_made,
    course_made,
    enrolled,
    session_made,
    training_volunteer,
)
from training.models import CourseInclusion, Enrolment

DAY = datetime.timedelta(days=1)


def page(name, station, **kwargs):
    return reverse(f"training:{name}", kwargs={"station": station.slug, **kwargs})


def api(name, station, **kwargs):
    return reverse(f"api:{name}", kwargs={"station": station.slug, **kwargs})


@pytest.fixture
def filled(station_a, officer_a):
    """filled(size) -> the station with ``size`` courses (each including the one before, half of
    them required of patrols), ``size`` upcoming sessions with a trainer, a session with ``size``
    enrolled and ``size`` waiting, a past session with ``size`` recorded results, ``size``
    volunteers in a team each holding a certificate, and "me", a volunteer on every session with
    a certificate of every course."""

    def _filled(size):
        courses = []
        for n in range(size):
            courses.append(
                course_made(
                    station_a,
                    f"Course {n:02d}",
                    valid_months=12,
                    required_for_roles=["patrol"] if n % 2 else [],
                )
            )
            if n >= 2 and n % 2 == 0:
                with scope(tenant=station_a):
                    CourseInclusion.objects.create(
                        tenant=station_a, course=courses[n], included=courses[n - 2]
                    )
        sessions = [session_made(courses[n], starts_in=(n + 1) * DAY, trainer=officer_a) for n in range(size)]
        full = session_made(courses[0], starts_in=DAY / 2, capacity=size, trainer=officer_a)
        past = session_made(courses[0], starts_in=-3 * DAY, trainer=officer_a)
        with scope(tenant=station_a):
            team = TeamFactory(tenant=station_a, name="Garden Patrol")
        people = [training_volunteer(station_a, officer_a, f"v{n:02d}") for n in range(2 * size)]
        for n, volunteer in enumerate(people):
            status = Enrolment.Status.ENROLLED if n < size else Enrolment.Status.WAITING
            enrolled(full, volunteer, status=status)
            certificate_made(volunteer, courses[n % size], expires_at=timezone.now() + (n + 1) * DAY)
            with scope(tenant=station_a):
                TeamMember.objects.create(tenant=station_a, team=team, volunteer=volunteer)
        for volunteer in people[:size]:
            enrolled(
                past,
                volunteer,
                attendance=Enrolment.Attendance.PRESENT,
                result=Enrolment.Result.PASSED,
                recorded_by=officer_a,
                recorded_at=timezone.now(),
            )
        me = training_volunteer(station_a, officer_a, "me")
        for n, session in enumerate(sessions):
            enrolled(session, me, status=Enrolment.Status.WAITING if n % 2 else Enrolment.Status.ENROLLED)
        for course in courses[::2]:
            certificate_made(me, course, expires_at=timezone.now() + 10 * DAY)
        return {"courses": courses, "full": full, "past": past, "me": me}

    return _filled


def half(size):
    return (size + 1) // 2


# station, session, user, memberships (roles): every page and API call starts with these four
START = 4

# name, who asks ("officer" or "me", the volunteer), url, queries, what the rows are
PAGES = [
    # + count (paginator), the user's memberships (station switcher), the courses
    (
        "course-list",
        "officer",
        lambda s, r: page("course-list", s),
        START + 3,
        lambda resp, n: len(resp.context["courses"]) == n,
    ),
    # + the sessions with course, trainer and counts, the user's volunteer record (none), the
    # user's memberships (station switcher)
    (
        "session-list",
        "officer",
        lambda s, r: page("session-list", s),
        START + 3,
        lambda resp, n: len(resp.context["sessions"]) == n + 1,
    ),
    # + the sessions, the volunteer, their enrolments with sessions and courses, their waiting
    # places, whether they mediate (navigation), the station switcher
    (
        "session-list",
        "me",
        lambda s, r: page("session-list", s),
        START + 6,
        lambda resp, n: sum(x.my_enrolment is not None for x in resp.context["sessions"]) == n,
    ),
    # + the session with course and trainer, its enrolments with volunteers and accounts, the
    # user's volunteer record (none), the station switcher, the volunteers and the teams of the
    # two "enrol" forms' choices
    (
        "session-detail",
        "officer",
        lambda s, r: page("session-detail", s, pk=r["full"].pk),
        START + 6,
        lambda resp, n: (len(resp.context["detail"].enrolled), len(resp.context["detail"].waiting)) == (n, n),
    ),
    # + the session with course and trainer, its enrolled people with volunteers, the station
    # switcher
    (
        "session-attendance",
        "officer",
        lambda s, r: page("session-attendance", s, pk=r["past"].pk),
        START + 3,
        lambda resp, n: len(resp.context["formset"].forms) == n,
    ),
    # + the volunteer, the record's five (enrolments with sessions and courses, certificates with
    # courses, team types, required courses, inclusions), the next open session of every missing
    # course, the station (its time zone, for the refusal), whether they mediate, the station
    # switcher, the upcoming sessions
    (
        "my-training",
        "me",
        lambda s, r: page("my-training", s),
        START + 11,
        lambda resp, n: (len(resp.context["record"].enrolments), len(resp.context["due"])) == (n, n // 2),
    ),
    # + count (paginator), the station switcher, the volunteers
    (
        "record-list",
        "officer",
        lambda s, r: page("record-list", s),
        START + 3,
        lambda resp, n: len(resp.context["volunteers"]) == 2 * n + 1,
    ),
    # + the course, the inclusions, the certificates with holders and courses, the station switcher
    (
        "course-roster",
        "officer",
        lambda s, r: page("course-roster", s, pk=r["courses"][0].pk),
        START + 4,
        lambda resp, n: len(resp.context["roster"]) == n + 1,
    ),
    # + count (paginator), the station switcher, the certificates with courses and holders
    (
        "certificate-list",
        "officer",
        lambda s, r: page("certificate-list", s),
        START + 3,
        lambda resp, n: len(resp.context["certificates"]) == 2 * n + half(n),
    ),
    # + the compliance selector's four (required courses, inclusions, volunteers with teams and
    # valid courses, teams), the station switcher
    (
        "compliance",
        "officer",
        lambda s, r: page("compliance", s),
        START + 5,
        lambda resp, n: resp.context["compliance"].total == 2 * n + 1,
    ),
]

APIS = [
    # + count, the courses, what they include (prefetched)
    ("course-list", "officer", START + 3, lambda n: n),
    # + count, the sessions with courses and enrolled counts
    ("session-list", "officer", START + 2, lambda n: n + 2),
    # + count, the enrolments with volunteers
    ("enrolment-list", "officer", START + 2, lambda n: 4 * n),
    # + the volunteer, count, their enrolments
    ("enrolment-list", "me", START + 3, lambda n: n),
    # + count, the recorded results with volunteers
    ("result-list", "officer", START + 2, lambda n: n),
    # + count, the certificates with courses and holders
    ("certificate-list", "officer", START + 2, lambda n: 2 * n + half(n)),
    # + the volunteer, count, their certificates
    ("certificate-list", "me", START + 3, lambda n: half(n)),
]


def measured(client, url):
    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response, [q["sql"][:200] for q in queries]


@pytest.fixture
def clients(login, officer_a):
    def _clients(rows):
        return {"officer": login(officer_a), "me": login(rows["me"].user)}

    return _clients


@pytest.mark.parametrize("size", [2, 20])
@pytest.mark.parametrize("name,who,to,expected,shows", PAGES, ids=[f"{p[0]}-{p[1]}" for p in PAGES])
def test_training_pages_cost_the_same_queries_for_2_and_20_rows(
    size, name, who, to, expected, shows, filled, clients, station_a
):
    rows = filled(size)
    response, queries = measured(clients(rows)[who], to(station_a, rows))
    assert shows(response, size)
    assert len(queries) == expected, "\n".join(queries)


@pytest.mark.parametrize("size", [2, 20])
@pytest.mark.parametrize("name,who,expected,length", APIS, ids=[f"api-{a[0]}-{a[1]}" for a in APIS])
def test_training_api_lists_cost_the_same_queries_for_2_and_20_rows(
    size, name, who, expected, length, filled, clients, station_a
):
    rows = filled(size)
    response, queries = measured(clients(rows)[who], api(name, station_a))
    assert len(response.json()["results"]) == min(length(size), settings.REST_FRAMEWORK["PAGE_SIZE"])
    assert len(queries) == expected, "\n".join(queries)
