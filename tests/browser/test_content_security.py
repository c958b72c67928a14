"""In headless Chromium, under the portal's Content-Security-Policy: the maps draw (tiles from the
configured tile server, the layers and markers from the portal's own scripts), the report form
places its pin and is sent, the duty board and a patrol's map show the patrol, the route form's
drawing tools appear, and the API's documentation pages render; and the browser reports no
violation of the policy on any of them."""

import datetime
import re
import uuid

import pytest
from django.conf import settings
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from playwright.sync_api import expect

from incidents.models import Report
from jointdefense.tenancy.models import Role
from patrols.models import Signup
from patrols.services import field
from tests.factories import (
    CheckpointFactory,
    CommunityFactory,
    RouteFactory,
    ShiftFactory,
    StationFactory,
    UserFactory,
    active_volunteer,
    member,
    station_defaults,
)
from tests.support import CSP_WATCH as WATCH
from tests.support import MAP_TILE as TILE

pytestmark = pytest.mark.browser

PASSWORD = "a quiet street at night"


@pytest.fixture
def station(transactional_db):
    station = station_defaults(StationFactory(name="Huayuan Road Station", slug="huayuan"))
    member(station, Role.OFFICER, username="officer.li", full_name="Officer Li", password=PASSWORD)
    officer = member(station, Role.OFFICER, username="officer.wu", password=PASSWORD)
    volunteer = active_volunteer(
        station, officer, user=UserFactory(username="wang.fang", password=PASSWORD), full_name="Wang Fang"
    )
    now = timezone.now().replace(microsecond=0)
    with scopes_disabled():
        CommunityFactory(tenant=station, name="Garden Community", slug="garden")
        route = RouteFactory(tenant=station, name="Garden loop", tier="community")
        cps = [CheckpointFactory(route=route, position=n, name=f"Point {n}") for n in (1, 2, 3)]
        shift = ShiftFactory(
            route=route,
            starts_at=now - datetime.timedelta(hours=1),
            ends_at=now + datetime.timedelta(hours=3),
        )
        Signup.objects.create(tenant=station, shift=shift, volunteer=volunteer)
    with scope(tenant=station):
        station.patrol = field.patrol_start(shift=shift, volunteer=volunteer, actor=None)
        field.check_in_submit(
            volunteer=volunteer,
            qr_token=cps[0].qr_token,
            client_id=uuid.uuid4(),
            device_time=timezone.now(),
            lat=cps[0].location.y,
            lng=cps[0].location.x,
        )
    return station


class Watched:
    """A page whose policy violations and console messages about policies are kept."""

    def __init__(self, context):
        self.console = []
        self.page = context.new_page()
        self.page.on("console", lambda message: self.console.append(message.text))
        self.tiles = []

        def serve_tile(route):
            self.tiles.append(route.request.url)
            route.fulfill(status=200, content_type="image/png", body=TILE)

        # the tile server of MAP_TILES_URL (no network here): what the browser asks it is answered
        pattern = re.sub(r"\{[a-z]\}", "*", settings.MAP_TILES_URL)
        self.page.route(pattern, serve_tile)

    def goto(self, url):
        response = self.page.goto(url)
        assert "script-src 'self'" in response.headers["content-security-policy"], url
        return response

    def violations(self):
        found = self.page.evaluate("window.__cspViolations")
        policy_messages = [
            m
            for m in self.console
            if "Content Security Policy" in m or "Permissions-Policy" in m or "feature" in m
        ]
        return found + policy_messages

    def assert_map_drawn(self, selector):
        expect(self.page.locator(selector)).to_have_attribute("data-map-ready", "true")
        expect(self.page.locator(f"{selector} img.leaflet-tile-loaded").first).to_be_visible()
        assert self.tiles, "no tile was asked for"


@pytest.fixture
def browser_context(browser):
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        geolocation={"latitude": 34.7466, "longitude": 113.6253},
        permissions=["geolocation"],
    )
    context.add_init_script(WATCH)
    yield context
    context.close()


def log_in(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Log in", re.I)).click()
    page.wait_for_load_state()


def test_the_report_form_places_its_pin_and_is_sent_under_the_policy(browser_context, live_server, station):
    watched = Watched(browser_context)
    page = watched.page
    watched.goto(f"{live_server.url}/s/huayuan/report/")
    watched.assert_map_drawn("#report-map")
    page.get_by_label("Safety hazard").check()
    page.get_by_label("What happened?").fill("The street light at the north gate has been out for a week.")
    the_map = page.locator("#report-map")
    the_map.scroll_into_view_if_needed()
    box = the_map.bounding_box()
    the_map.click(position={"x": box["width"] / 2, "y": box["height"] / 2})  # tap the map: the pin
    expect(page.get_by_test_id("report-pin")).to_be_visible()
    expect(page.locator("input[name=lat]")).to_have_value(re.compile(r"\d+\.\d{6}"))
    page.get_by_role("button", name="Send the report").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your report")
    code = page.get_by_test_id("tracking-code").inner_text()
    with scopes_disabled():
        assert Report.objects.filter(tracking_code=code, category__slug="hazard").exists()
    assert watched.violations() == []


def test_the_duty_board_a_patrols_map_and_the_route_form_work_under_the_policy(
    browser_context, live_server, station
):
    watched = Watched(browser_context)
    page = watched.page
    log_in(page, live_server.url, "officer.li")

    watched.goto(f"{live_server.url}/s/huayuan/patrols/board/")
    watched.assert_map_drawn("#board-map")
    expect(page.locator("[data-board]")).to_have_attribute("data-patrol-count", "1")
    expect(page.locator("#board-map path.layer-position")).to_have_count(1)
    expect(page.locator("#board-map path.layer-route")).to_have_count(1)

    watched.goto(f"{live_server.url}/s/huayuan/patrols/walked/{station.patrol.pk}/")
    watched.assert_map_drawn("#patrol-map")
    expect(page.locator("#patrol-map")).to_have_attribute("data-checkpoint-count", "3")
    expect(page.locator("#patrol-map path.layer-checkpoint")).to_have_count(3)

    watched.goto(f"{live_server.url}/s/huayuan/patrols/routes/new/")
    watched.assert_map_drawn("#id_path-map")
    expect(page.locator(".leaflet-draw-draw-polyline")).to_be_visible()  # the drawing widget is attached
    assert watched.violations() == []


def test_the_api_documentation_renders_under_its_policy(browser_context, live_server, station):
    watched = Watched(browser_context)
    page = watched.page
    watched.goto(f"{live_server.url}/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text(
        "Joint Defense Portal API", timeout=30_000
    )
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    watched.goto(f"{live_server.url}/api/redoc/")
    expect(page.locator("h1", has_text="Joint Defense Portal API")).to_be_visible(timeout=30_000)
    expect(page.locator("[data-section-id]").first).to_be_attached()  # the operations, from the schema
    # ReDoc's sidebar shows Redocly's logo from their CDN and hides it when it cannot load: the one
    # thing the policy keeps from another host, on purpose
    refused = [v for v in watched.violations() if "https://cdn.redoc.ly/redoc/logo-mini.svg" not in v]
    assert refused == []
