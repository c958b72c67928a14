"""Calendar feeds (teams.views.calendars): a volunteer's own address and a team leader's team
address, parsed back with icalendar (RFC 5545): the right shifts and sessions, times in the
station's zone across a DST change, cancelled ones marked; a new address retires the old one, a
turned-off one answers 404, another station's address and other people's teams are out of reach,
and the feed's query count does not grow with its events."""

import datetime
import zoneinfo

import icalendar
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from patrols.models import Signup
from teams.models import CalendarFeed, TeamMember
from tests.factories import (
    RouteFactory,
    ShiftFactory,
    TeamFactory,
    TrainingSessionFactory,
    UserFactory,
    active_volunteer,
    enrolled,
)

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
# the night the clocks go forward in Berlin in 2027 (02:00 becomes 03:00 on Sunday 28 March)
BEFORE_DST = datetime.datetime(2027, 3, 27, 22, 0, tzinfo=BERLIN)
AFTER_DST = datetime.datetime(2027, 3, 28, 4, 0, tzinfo=BERLIN)


@pytest.fixture
def berlin(station_a):
    station_a.time_zone = "Europe/Berlin"
    station_a.save(update_fields=["time_zone"])
    return station_a


@pytest.fixture
def walker(berlin, officer_a):
    user = UserFactory(username="walker", full_name="Walker")
    return active_volunteer(berlin, officer_a, user=user, full_name="Walker")


def signed_up(volunteer, shift, **fields):
    with scopes_disabled():
        return Signup.objects.create(tenant=shift.tenant, shift=shift, volunteer=volunteer, **fields)


def address(client, station, team=None):
    """Ask for a new address on the calendar page and read it back from the page."""
    url = reverse("teams:my-calendar", kwargs={"station": station.slug})
    response = client.post(url, {"action": "renew", **({"team": team.pk} if team else {})})
    assert response.status_code == 302, response.content
    with scopes_disabled():
        feed = CalendarFeed.objects.get(revoked_at__isnull=True, team=team, owner__username="walker")
    page = client.get(url).content.decode()
    path = reverse("teams:calendar-feed", kwargs={"station": station.slug, "token": feed.token})
    assert f"http://testserver{path}" in page and f"webcal://testserver{path}" in page
    return path


def events(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    return calendar, {str(event["uid"]): event for event in calendar.walk("VEVENT")}


def test_the_volunteer_s_feed_holds_their_shifts_and_sessions_in_the_station_s_time(
    berlin, officer_a, walker, login
):
    with scopes_disabled():
        route = RouteFactory(tenant=berlin, name="Riverside loop")
        night = ShiftFactory(route=route, starts_at=BEFORE_DST, ends_at=AFTER_DST)
        cancelled = ShiftFactory(
            route=route,
            starts_at=AFTER_DST + datetime.timedelta(days=7),
            ends_at=AFTER_DST + datetime.timedelta(days=7, hours=3),
            is_cancelled=True,
        )
        withdrawn = ShiftFactory(route=route)
        not_mine = ShiftFactory(route=route)
        session = TrainingSessionFactory(tenant=berlin, course__tenant=berlin)
        waiting = TrainingSessionFactory(tenant=berlin, course__tenant=berlin)
    signed_up(walker, night)
    signed_up(walker, cancelled)
    signed_up(walker, withdrawn, withdrawn_at=datetime.datetime.now(datetime.UTC))
    enrolled(session, walker)
    enrolled(waiting, walker, status="waiting")
    client = login(walker.user)
    path = address(client, berlin)

    calendar, found = events(Client().get(path))  # a calendar app: no login
    assert set(found) == {
        f"shift-{night.pk}@jointdefense",
        f"shift-{cancelled.pk}@jointdefense",
        f"training-session-{session.pk}@jointdefense",
    }
    assert f"shift-{not_mine.pk}@jointdefense" not in found
    patrol = found[f"shift-{night.pk}@jointdefense"]
    assert str(patrol["summary"]) == "Patrol: Riverside loop"
    assert patrol["dtstart"].params["TZID"] == "Europe/Berlin"
    start, end = patrol.decoded("dtstart"), patrol.decoded("dtend")
    # the same instants back, and the night is an hour short: 22:00 to 04:00 across the change
    assert (start.timestamp(), end.timestamp()) == (BEFORE_DST.timestamp(), AFTER_DST.timestamp())
    assert (start.hour, end.hour) == (22, 4)
    assert (start.utcoffset(), end.utcoffset()) == (datetime.timedelta(hours=1), datetime.timedelta(hours=2))
    assert end.timestamp() - start.timestamp() == 5 * 3600
    assert [str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]
    assert str(found[f"shift-{cancelled.pk}@jointdefense"]["status"]) == "CANCELLED"
    assert str(patrol["status"]) == "CONFIRMED"
    assert str(patrol["url"]) == f"http://testserver/s/{berlin.slug}/patrols/me/"
    assert str(found[f"training-session-{session.pk}@jointdefense"]["summary"]).startswith("Training: ")


def test_a_new_address_retires_the_old_and_a_turned_off_one_answers_404(berlin, walker, login):
    client = login(walker.user)
    first = address(client, berlin)
    second = address(client, berlin)
    assert first != second
    assert Client().get(first).status_code == 404
    assert Client().get(second).status_code == 200
    url = reverse("teams:my-calendar", kwargs={"station": berlin.slug})
    assert client.post(url, {"action": "revoke"}).status_code == 302
    assert Client().get(second).status_code == 404
    assert "No address yet." in client.get(url).content.decode()


def test_another_station_s_address_and_a_made_up_one_are_404(berlin, station_b, walker, login):
    path = address(login(walker.user), berlin)
    token = path.rsplit("/", 1)[1]
    assert (
        Client()
        .get(reverse("teams:calendar-feed", kwargs={"station": station_b.slug, "token": token}))
        .status_code
        == 404
    )
    assert (
        Client()
        .get(reverse("teams:calendar-feed", kwargs={"station": berlin.slug, "token": "x" * 32 + ".ics"}))
        .status_code
        == 404
    )
    assert (
        Client()
        .get(reverse("teams:calendar-feed", kwargs={"station": berlin.slug, "token": "x" * 5000}))
        .status_code
        == 404
    )


def test_only_a_team_s_leaders_get_its_feed_and_lose_it_when_they_step_down(berlin, officer_a, walker, login):
    with scopes_disabled():
        team = TeamFactory(tenant=berlin, name="Riverside brigade")
        other = TeamFactory(tenant=berlin, name="Hill brigade")
        membership = TeamMember.objects.create(tenant=berlin, team=team, volunteer=walker, is_leader=True)
        route = RouteFactory(tenant=berlin)
        theirs = ShiftFactory(route=route, team=team)
        ShiftFactory(route=route, team=other)
    client = login(walker.user)
    url = reverse("teams:my-calendar", kwargs={"station": berlin.slug})
    # a team the volunteer does not lead is not a choice: refused, nothing made
    assert client.post(url, {"action": "renew", "team": other.pk}).status_code == 400
    with scopes_disabled():
        assert not CalendarFeed.objects.filter(team=other).exists()
    assert "Shifts of Riverside brigade" in client.get(url).content.decode()
    path = address(client, berlin, team=team)
    _calendar, found = events(Client().get(path))
    assert set(found) == {f"shift-{theirs.pk}@jointdefense"}  # the team's shifts, signed up or not
    with scopes_disabled():
        membership.is_leader = False
        membership.save()
    assert Client().get(path).status_code == 404


def test_the_feed_s_queries_do_not_grow_with_its_events(berlin, walker, login):
    path = address(login(walker.user), berlin)
    with scopes_disabled():
        route = RouteFactory(tenant=berlin)
        session = TrainingSessionFactory(tenant=berlin, course__tenant=berlin)
    enrolled(session, walker)
    counts = []
    for extra in (1, 20):
        with scopes_disabled():
            for _ in range(extra):
                signed_up(walker, ShiftFactory(route=route))
        with CaptureQueriesContext(connection) as queries:
            events(Client().get(path))
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_calendar_page_needs_a_login_and_a_volunteer_record(berlin, officer_a):
    url = reverse("teams:my-calendar", kwargs={"station": berlin.slug})
    assert Client().get(url).status_code == 302
    client = Client()
    client.force_login(officer_a)
    assert client.get(url).status_code == 404
