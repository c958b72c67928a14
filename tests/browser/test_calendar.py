"""In headless Chromium at 360 px: a volunteer gets their calendar address from My volunteering,
and a calendar app (no login, another client) reads their shift from it in the station's time;
a new address retires the one copied before."""

import datetime

import icalendar
import pytest
from django.test import Client
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from jointdefense.tenancy.models import Role
from patrols.models import Signup
from tests.factories import (
    RouteFactory,
    ShiftFactory,
    StationFactory,
    UserFactory,
    active_volunteer,
    member,
    station_defaults,
)

pytestmark = pytest.mark.browser

PASSWORD = "a quiet street at night"


def test_a_volunteer_on_a_phone_subscribes_to_their_shifts(page, live_server, transactional_db):
    page.set_viewport_size({"width": 360, "height": 780})
    station = station_defaults(StationFactory(name="Huayuan Road Station", slug="huayuan"))
    officer = member(station, Role.OFFICER, username="officer.li", full_name="Officer Li")
    user = UserFactory(username="vol.wang", full_name="Wang Fang")
    user.set_password(PASSWORD)
    user.save()
    volunteer = active_volunteer(station, officer, user=user, full_name="Wang Fang")
    starts = datetime.datetime(2027, 1, 9, 19, 0, tzinfo=station.zoneinfo)
    with scopes_disabled():
        shift = ShiftFactory(
            route=RouteFactory(tenant=station, name="Night market loop"),
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=3),
        )
        Signup.objects.create(tenant=station, shift=shift, volunteer=volunteer)

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("vol.wang")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/s/huayuan/volunteer/me/")
    page.get_by_role("link", name="Calendar address").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My calendar")
    expect(page.get_by_text("No address yet.")).to_be_visible()
    page.get_by_role("button", name="Get an address").click()
    expect(page.get_by_text("Your calendar address is ready")).to_be_visible()
    field = page.get_by_label("Or copy the address into your calendar app")
    first = field.input_value()
    assert first.startswith(live_server.url + "/s/huayuan/calendar/") and first.endswith(".ics")
    assert page.get_by_role("link", name="Add to my calendar").get_attribute("href").startswith("webcal://")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path="test-results/calendar-phone.png", full_page=True)

    app = Client()  # the calendar app: no session of the volunteer's
    path = first.removeprefix(live_server.url)
    calendar = icalendar.Calendar.from_ical(app.get(path).content)
    (event,) = calendar.walk("VEVENT")
    assert str(event["summary"]) == "Patrol: Night market loop"
    assert event.decoded("dtstart").strftime("%Y-%m-%d %H:%M %Z") == "2027-01-09 19:00 CST"

    page.get_by_role("button", name="Make a new address").click()
    expect(page.get_by_text("the old one no longer works")).to_be_visible()
    assert field.input_value() != first
    assert app.get(path).status_code == 404
