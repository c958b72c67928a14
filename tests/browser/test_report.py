"""In headless Chromium on a phone: a resident reports a hazard with their location and a photo, in a
few taps and no account, and lands on the tracking page."""

import re

import pytest
from django_scopes import scopes_disabled
from PIL import Image
from playwright.sync_api import expect

from incidents.models import Report
from tests.factories import CommunityFactory, StationFactory, station_defaults

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


def phone(browser, station, dx=0.005, dy=0.005):
    x, y = station.boundary.extent[:2]
    return browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        geolocation={"latitude": y + dy, "longitude": x + dx},
        permissions=["geolocation"],
    )


def log_in(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Log in").click()


def file_report(page, base, text, *, add_to_nearby=False):
    page.goto(f"{base}/s/huayuan/report/")
    expect(page.locator("#report-map")).to_have_attribute("data-map-ready", "true")
    page.get_by_label("Safety hazard").check()
    page.get_by_label("What happened?").fill(text)
    page.get_by_role("button", name="Use my location").click()
    expect(page.locator("input[name=lat]")).to_have_value(re.compile(r"\d+\.\d{6}"))
    if add_to_nearby:
        page.get_by_role("button", name="Add to this report").first.click()
        expect(page.get_by_test_id("adding-to")).to_be_visible()
    page.get_by_label("Email").fill("resident@example.org")
    page.get_by_role("button", name="Send the report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your report")
    return page.get_by_test_id("tracking-code").inner_text()


def test_an_officer_triages_and_resolves_and_the_resident_follows_and_rates(browser, live_server, station):
    from jointdefense.tenancy.models import Role
    from tests.factories import member

    member(station, Role.OFFICER, username="officer_hy", full_name="Officer Wang")
    base = live_server.url
    contexts = [phone(browser, station), phone(browser, station, dx=0.0052), browser.new_context()]
    resident = contexts[0].new_page()
    code = file_report(resident, base, "An open manhole next to the kindergarten gate.")

    # a neighbour sees the open report while placing the pin, and adds to it
    neighbour = contexts[1].new_page()
    neighbour_code = file_report(neighbour, base, "Still no cover on it tonight.", add_to_nearby=True)
    with scopes_disabled():
        public_id = Report.objects.get(tracking_code=code).public_id
    expect(neighbour.get_by_test_id("joined-note")).to_contain_text(public_id)
    expect(neighbour.locator("body")).not_to_contain_text(code)  # the first resident's key

    officer = contexts[2].new_page()
    officer.set_viewport_size({"width": 1280, "height": 900})
    log_in(officer, base, "officer_hy")
    officer.goto(f"{base}/s/huayuan/reports/")
    officer.get_by_test_id("queue-map-link").click()
    expect(officer.locator("#triage-map")).to_have_attribute("data-report-count", "1")
    officer.goto(f"{base}/s/huayuan/reports/")
    officer.get_by_test_id("triage-queue").get_by_role("link").first.click()
    expect(officer.get_by_test_id("joined-reports")).to_contain_text("Still no cover on it tonight.")

    officer.get_by_label("Officer", exact=True).select_option(label="Officer Wang")
    officer.get_by_role("button", name="Assign", exact=True).click()
    expect(officer.get_by_test_id("case-status")).to_have_text("Assigned")
    officer.get_by_label("Update").fill("The road office will cover it this afternoon.")
    officer.get_by_label("Show to the reporter").check()
    officer.get_by_role("button", name="Add", exact=True).click()
    officer.get_by_label("New status").select_option("resolved")
    officer.get_by_label("Message to the reporter").fill("The manhole has a new cover.")
    officer.get_by_role("button", name="Save", exact=True).click()
    expect(officer.get_by_test_id("case-status")).to_have_text("Resolved")
    officer.get_by_label("What was said at the visit").fill("Visited the resident, who saw the new cover.")
    officer.get_by_role("button", name="Record the visit").click()
    expect(officer.get_by_test_id("return-visits")).to_contain_text("Visited the resident")

    # the resident comes back to the tracking page, sees the officer's words and rates the visit
    resident.reload()
    expect(resident.get_by_test_id("timeline")).to_contain_text(
        "The road office will cover it this afternoon."
    )
    expect(resident.get_by_test_id("timeline")).to_contain_text("The manhole has a new cover.")
    resident.get_by_test_id("rate-visit").get_by_role("button", name="Satisfied", exact=True).click()
    expect(resident.get_by_test_id("report-status")).to_have_text("Closed")
    # the neighbour's page follows the same case
    neighbour.reload()
    expect(neighbour.get_by_test_id("report-status")).to_have_text("Closed")
    expect(neighbour.get_by_test_id("timeline")).to_contain_text("The manhole has a new cover.")
    with scopes_disabled():
        assert Report.objects.get(tracking_code=neighbour_code).duplicate_of.tracking_code == code
    for context in contexts:
        context.close()
