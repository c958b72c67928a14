"""In headless Chromium on a phone: a resident reports a hazard with their location and a photo, in a
few taps and no account, and lands on the tracking page."""

import re

import pytest
from django_scopes import scopes_disabled
from PIL import Image
from playwright.sync_api import expect

from incidents.models import Report

from .factories import CommunityFactory, StationFactory, station_defaults

pytestmark = pytest.mark.browser


@pytest.fixture
def station(transactional_db):
    station = station_defaults(StationFactory(name="Huayuan Road Station", slug="huayuan"))
    with scopes_disabled():
        CommunityFactory(tenant=station, name="Garden Community", slug="garden")
    return station


def test_resident_reports_a_hazard_with_location_and_photo(browser, live_server, station, tmp_path):
    x, y = station.boundary.extent[:2]
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        geolocation={"latitude": y + 0.005, "longitude": x + 0.005},
        permissions=["geolocation"],
    )
    page = context.new_page()
    photo = tmp_path / "light.jpg"
    Image.new("RGB", (800, 600), (90, 90, 90)).save(photo, format="JPEG")

    page.goto(f"{live_server.url}/s/huayuan/report/")
    expect(page.locator("#report-map")).to_have_attribute("data-map-ready", "true")
    page.get_by_label("Safety hazard").check()
    page.get_by_label("What happened?").fill("The street light at the north gate has been out for a week.")
    page.get_by_role("button", name="Use my location").click()
    expect(page.locator("input[name=lat]")).to_have_value(re.compile(r"\d+\.\d{6}"))
    page.locator("input[name=photos]").set_input_files(str(photo))
    page.get_by_label("Phone").fill("13800001111")
    page.screenshot(path="test-results/report-phone.png", full_page=True)
    page.get_by_role("button", name="Send the report").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your report")
    code = page.get_by_test_id("tracking-code").inner_text()
    expect(page.get_by_test_id("report-status")).to_have_text("New")
    with scopes_disabled():
        report = Report.objects.get(tracking_code=code)
        assert report.category.slug == "hazard" and report.photos.count() == 1
        assert report.community.slug == "garden"
    context.close()
