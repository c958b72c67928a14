"""In headless Chromium on a phone with its location granted: a volunteer signed up for a shift starts
the patrol, checks in at two checkpoints by opening the pages their QR codes lead to, and ends the
patrol; the officer then sees the hours. And a check-in made without a signal waits in the phone
and is sent when the connection returns, also from a check-in page never opened before."""

import datetime
import re
import uuid

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from playwright.sync_api import expect

from jointdefense.tenancy.models import Role
from patrols.models import CheckIn, Patrol, Signup
from patrols.services import field
from tests.factories import (
    CheckpointFactory,
    RouteFactory,
    ShiftFactory,
    StationFactory,
    TeamFactory,
    UserFactory,
    active_volunteer,
    member,
    station_defaults,
)

pytestmark = pytest.mark.browser

PASSWORD = "a quiet street at night"


@pytest.fixture
def station(transactional_db):
    station = station_defaults(StationFactory(name="Huayuan Road Station", slug="huayuan"))
    officer = member(station, Role.OFFICER, username="officer.li", full_name="Officer Li", password=PASSWORD)
    volunteer = active_volunteer(
        station, officer, user=UserFactory(username="wang.fang", password=PASSWORD), full_name="Wang Fang"
    )
    now = timezone.now().replace(microsecond=0)
    with scopes_disabled():
        team = TeamFactory(tenant=station, name="Garden Patrol")
        route = RouteFactory(tenant=station, name="Garden loop", tier="community")
        for position, name in ((1, "North gate"), (2, "Market"), (3, "School")):
            CheckpointFactory(route=route, position=position, name=name)
        shift = ShiftFactory(
            route=route,
            team=team,
            starts_at=now - datetime.timedelta(hours=1),
            ends_at=now + datetime.timedelta(hours=3),
        )
        Signup.objects.create(tenant=station, shift=shift, volunteer=volunteer)
    station.volunteer, station.shift, station.route = volunteer, shift, route
    return station


def checkpoints(station):
    with scopes_disabled():
        return list(station.route.checkpoints.order_by("position"))


def phone(browser, live_server, cp, username):
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        geolocation={"latitude": cp.location.y, "longitude": cp.location.x, "accuracy": 6},
        permissions=["geolocation"],
    )
    page = context.new_page()
    log_in(page, live_server, username)
    return context, page


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Log in", re.I)).click()
    page.wait_for_load_state()


def check_in_at(page, context, live_server, cp, when):
    context.set_geolocation({"latitude": cp.location.y, "longitude": cp.location.x, "accuracy": 6})
    page.clock.set_fixed_time(when)  # the phone's clock: the check-in records it as device_time
    page.goto(f"{live_server.url}/s/huayuan/patrols/check-in/{cp.qr_token}/")
    expect(page.get_by_test_id("checkpoint-name")).to_contain_text(cp.name)
    expect(page.locator("[data-location-status]")).to_have_attribute("data-located", "true")
    page.get_by_role("button", name="Check in here").click()
    expect(page.locator("[data-check-in-page]")).to_have_attribute("data-checked-in", "ok")


def test_volunteer_signs_up_patrols_two_checkpoints_and_the_officer_sees_the_hours(
    browser, live_server, station
):
    cps = checkpoints(station)
    shift = station.shift
    with scopes_disabled():  # the shift is tomorrow evening; the volunteer signs up on the board
        Signup.objects.filter(shift=shift).delete()
        shift_times = (shift.starts_at, shift.ends_at)
        shift.__class__.objects.filter(pk=shift.pk).update(
            starts_at=shift.starts_at + datetime.timedelta(days=1),
            ends_at=shift.ends_at + datetime.timedelta(days=1),
        )
    context, page = phone(browser, live_server, cps[0], "wang.fang")
    page.goto(f"{live_server.url}/s/huayuan/patrols/shifts/")
    expect(page.get_by_test_id("board-shift")).to_contain_text("Garden loop")
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_test_id("board-shift")).to_contain_text("You are on it")
    with scopes_disabled():  # … and a day later the shift is on
        assert Signup.objects.get(shift=shift, volunteer=station.volunteer).source == "self"
        shift.__class__.objects.filter(pk=shift.pk).update(starts_at=shift_times[0], ends_at=shift_times[1])

    page.goto(f"{live_server.url}/s/huayuan/patrols/me/")
    expect(page.get_by_test_id("my-shifts")).to_contain_text("Garden loop")
    page.get_by_role("button", name="Start patrol").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Garden loop")
    expect(page.locator("#patrol-map")).to_have_attribute("data-map-ready", "true")
    expect(page.locator("#patrol-map")).to_have_attribute("data-checkpoint-count", "3")
    report_link = page.get_by_test_id("report-from-patrol").get_by_role("link", name="Report it")
    expect(report_link).to_have_attribute("href", "/s/huayuan/report/")  # a hazard seen on the round

    now = timezone.now()
    check_in_at(page, context, live_server, cps[0], now - datetime.timedelta(minutes=50))
    check_in_at(page, context, live_server, cps[1], now - datetime.timedelta(minutes=5))

    page.get_by_test_id("back-to-patrol").click()
    expect(page.get_by_test_id("checkpoints").locator("li.done")).to_have_count(2)
    expect(page.locator("#patrol-map path.layer-checkpoint")).to_have_count(3)
    expect(page.locator("#patrol-map path.layer-checkpoint.done")).to_have_count(2)
    expect(page.locator("#patrol-map path.layer-route")).to_have_count(1)
    expect(page.get_by_test_id("patrol-hours")).to_have_text("0.8 hours")
    page.screenshot(path="test-results/patrol-phone.png", full_page=True)
    page.get_by_role("button", name="End patrol").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My patrol")
    expect(page.get_by_text("Patrol ended: 0.8 hours")).to_be_visible()
    with scopes_disabled():
        patrol = Patrol.objects.get(volunteer=station.volunteer)
        assert patrol.status == "ended"
        assert list(patrol.check_ins.values_list("review", flat=True)) == ["ok", "ok"]
    context.close()

    # the officer, in another browser
    officer_context = browser.new_context(viewport={"width": 1280, "height": 900})
    officer = officer_context.new_page()
    log_in(officer, live_server, "officer.li")
    officer.goto(f"{live_server.url}/s/huayuan/patrols/walked/")
    expect(officer.get_by_test_id("hours-per-volunteer")).to_contain_text("Wang Fang")
    expect(officer.get_by_test_id("hours-per-volunteer").locator("tbody tr td").nth(2)).to_have_text("0.8")
    expect(officer.get_by_test_id("hours-per-team")).to_contain_text("Garden Patrol")
    expect(officer.get_by_test_id("total-hours")).to_have_text("0.8")
    officer_context.close()


def test_a_check_in_made_offline_is_sent_when_back_online(browser, live_server, station):
    cps = checkpoints(station)
    with scope(tenant=station):
        patrol = field.patrol_start(shift=station.shift, volunteer=station.volunteer, actor=None)
    context, page = phone(browser, live_server, cps[0], "wang.fang")

    # the patrol page, once loaded, keeps working without a signal (service worker)
    page.goto(f"{live_server.url}/s/huayuan/patrols/me/{patrol.pk}/")
    expect(page.locator("[data-patrol-page]")).to_have_attribute("data-offline-ready", "true", timeout=15000)

    page.goto(f"{live_server.url}/s/huayuan/patrols/check-in/{cps[0].qr_token}/")
    expect(page.locator("[data-location-status]")).to_have_attribute("data-located", "true")
    context.set_offline(True)
    page.get_by_role("button", name="Check in here").click()
    expect(page.locator("[data-check-in-page]")).to_have_attribute("data-checked-in", "queued")
    expect(page.locator("[data-queue-count]")).to_have_text("1")
    with scopes_disabled():
        assert not CheckIn.objects.exists()

    # still offline: a checkpoint whose page this phone never opened, and the patrol page
    page.goto(f"{live_server.url}/s/huayuan/patrols/check-in/{cps[1].qr_token}/")
    expect(page.locator("[data-check-in-page]")).to_have_attribute("data-offline-shell", "")
    page.get_by_role("button", name="Check in here").click()
    expect(page.locator("[data-check-in-page]")).to_have_attribute("data-checked-in", "queued")
    expect(page.locator("[data-queue-count]")).to_have_text("2")
    page.goto(f"{live_server.url}/s/huayuan/patrols/me/{patrol.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Garden loop")

    context.set_offline(False)  # the "online" event sends the queue
    expect(page.locator("[data-queue-status]")).to_be_hidden(timeout=15000)
    with scopes_disabled():
        stored = list(CheckIn.objects.filter(patrol=patrol).order_by("device_time"))
    assert [c.checkpoint.name for c in stored] == ["North gate", "Market"]
    assert all(c.received_at > c.device_time for c in stored)
    assert stored[0].flags == []
    context.close()


def test_the_duty_board_updates_without_a_reload(browser, live_server, station):
    cps = checkpoints(station)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    log_in(page, live_server, "officer.li")
    page.clock.install()
    page.goto(f"{live_server.url}/s/huayuan/patrols/board/")
    expect(page.locator("#board-map")).to_have_attribute("data-map-ready", "true")
    expect(page.locator("[data-board]")).to_have_attribute("data-patrol-count", "0")

    with scope(tenant=station):
        field.patrol_start(shift=station.shift, volunteer=station.volunteer, actor=None)
        field.check_in_submit(
            volunteer=station.volunteer,
            qr_token=cps[0].qr_token,
            client_id=uuid.uuid4(),
            device_time=timezone.now(),
            lat=cps[0].location.y,
            lng=cps[0].location.x,
        )
    page.clock.run_for(16_000)  # the board asks again every 15 seconds
    expect(page.locator("[data-board]")).to_have_attribute("data-patrol-count", "1")
    expect(page.get_by_test_id("board-list")).to_contain_text("Wang Fang · Garden loop")
    expect(page.get_by_test_id("board-list")).to_contain_text("1/3 · North gate")
    expect(page.locator("#board-map path.layer-route")).to_have_count(1)
    expect(page.locator("#board-map path.layer-position")).to_have_count(1)
    context.close()


def test_a_volunteer_name_with_markup_is_shown_as_text_on_the_duty_board(browser, live_server, station):
    """A volunteer who calls themself <img onerror=…> runs no script in the officer's browser."""
    from teams.models import Volunteer

    hostile = '<img src=x onerror="window.__pwned=1">Fang'
    with scopes_disabled():
        Volunteer.objects.filter(pk=station.volunteer.pk).update(full_name=hostile)
    cps = checkpoints(station)
    with scope(tenant=station):
        field.patrol_start(shift=station.shift, volunteer=station.volunteer, actor=None)
        field.check_in_submit(
            volunteer=station.volunteer,
            qr_token=cps[0].qr_token,
            client_id=uuid.uuid4(),
            device_time=timezone.now(),
            lat=cps[0].location.y,
            lng=cps[0].location.x,
        )
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    log_in(page, live_server, "officer.li")
    page.goto(f"{live_server.url}/s/huayuan/patrols/board/")
    expect(page.locator("[data-board]")).to_have_attribute("data-patrol-count", "1")
    page.locator("#board-map path.layer-position").hover(force=True)
    tooltip = page.locator(".leaflet-tooltip")
    expect(tooltip).to_contain_text(hostile)
    assert page.locator(".leaflet-tooltip img").count() == 0
    assert page.evaluate("window.__pwned") is None
    context.close()
