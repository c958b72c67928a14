"""In headless Chromium on a phone-sized screen: an officer draws a patrol route on the map, adds a
checkpoint by tapping the map, and sees both on the route's map and the route list's."""

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from jointdefense.tenancy.models import Role
from patrols.models import Checkpoint, Route
from tests.factories import CommunityFactory, StationFactory, member, station_defaults

pytestmark = pytest.mark.browser

PASSWORD = "a quiet street at night"


@pytest.fixture
def station(transactional_db):
    station = station_defaults(StationFactory(name="Huayuan Road Station", slug="huayuan"))
    with scopes_disabled():
        CommunityFactory(tenant=station, name="Garden Community", slug="garden")
    member(station, Role.OFFICER, username="officer.li", full_name="Officer Li", password=PASSWORD)
    return station


def tap_map(page, selector, *fractions):
    box = page.locator(selector).bounding_box()
    for fx, fy in fractions:
        x, y = box["x"] + box["width"] * fx, box["y"] + box["height"] * fy
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.up()
        page.wait_for_timeout(400)  # Leaflet.draw ignores a second click that comes too soon


def test_officer_draws_a_route_and_places_a_checkpoint(page, live_server, station):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("officer.li")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("button", name="Menu").click()
    page.get_by_role("link", name="Routes").click()
    page.get_by_role("link", name="New route").click()

    expect(page.locator("#id_path-map")).to_have_attribute("data-map-ready", "true")
    page.get_by_label("Name").fill("Market street")
    page.get_by_label("Tier").select_option("brigade")
    page.locator(".leaflet-draw-draw-polyline").click()
    tap_map(page, "#id_path-map", (0.35, 0.5), (0.5, 0.45), (0.65, 0.5))
    page.locator(".leaflet-draw-actions a", has_text="Finish").click()
    page.screenshot(path="test-results/route-draw-phone.png", full_page=True)
    page.get_by_role("button", name="Save route").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Market street")
    expect(page.locator("#route-map")).to_have_attribute("data-route-count", "1")
    with scopes_disabled():
        route = Route.objects.get(name="Market street")
        assert len(route.path) == 3 and station.boundary.contains(route.path)

    page.get_by_role("link", name="Add a checkpoint").click()
    expect(page.locator("#id_location-map")).to_have_attribute("data-map-ready", "true")
    page.get_by_label("Name").fill("Market entrance")
    page.locator(".leaflet-draw-draw-marker").click()
    tap_map(page, "#id_location-map", (0.5, 0.6))
    page.get_by_role("button", name="Save checkpoint").click()

    expect(page.get_by_test_id("checkpoint-list")).to_contain_text("Market entrance")
    expect(page.locator("#route-map")).to_have_attribute("data-checkpoint-count", "1")
    page.screenshot(path="test-results/route-detail-phone.png", full_page=True)
    with scopes_disabled():
        assert Checkpoint.objects.get(route=route).position == 1


def test_volunteer_signs_up_for_a_shift_on_a_phone(page, live_server, station):
    import datetime

    from django.utils import timezone
    from django_scopes import scope

    from patrols.models import Signup
    from tests.factories import ShiftFactory, UserFactory, active_volunteer

    with scopes_disabled():
        officer = member(station, Role.OFFICER, username="officer.wang")
        user = UserFactory(username="vol.wang", password=PASSWORD)
    volunteer = active_volunteer(station, officer, user=user, full_name="Wang Fang")
    with scope(tenant=station):
        ShiftFactory(
            tenant=station,
            route__tenant=station,
            route__name="Market street",
            starts_at=timezone.now() + datetime.timedelta(days=2),
        )
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("vol.wang")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("button", name="Menu").click()
    page.get_by_role("link", name="Shifts", exact=True).click()
    expect(page.get_by_test_id("board-shift")).to_contain_text("Market street")
    page.get_by_role("button", name="Sign up").click()
    expect(page.locator(".message")).to_contain_text("You are on the shift")
    expect(page.get_by_test_id("board-shift")).to_contain_text("You are on it")
    page.screenshot(path="test-results/shift-board-phone.png", full_page=True)
    with scopes_disabled():
        assert Signup.objects.get(volunteer=volunteer).withdrawn_at is None
