"""The grouped navigation in headless Chromium: on a desktop an officer opens an area's drop-down
(by mouse and by keyboard) and reaches a page; on a 360 px phone an anonymous resident opens the
menu and finds the report form, the language switcher and "Log in"."""

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from jointdefense.tenancy.models import Role
from tests.conftest import PASSWORD
from tests.factories import CommunityFactory, StationFactory, member, station_defaults

pytestmark = pytest.mark.browser


@pytest.fixture
def station(transactional_db):
    station = station_defaults(StationFactory(name="Huayuan Road Station", slug="huayuan"))
    with scopes_disabled():
        CommunityFactory(tenant=station, name="Garden Community", slug="garden")
    member(station, Role.OFFICER, username="officer.li", full_name="Li Ming")
    return station


def log_in(page, url, username):
    page.goto(f"{url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_officer_opens_an_area_and_reaches_its_pages_on_a_desktop(browser, live_server, station):
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    log_in(page, live_server.url, "officer.li")

    # the officer's own landing page comes first, then the areas
    expect(page.get_by_test_id("nav-landing")).to_contain_text("My desk")
    routes = page.get_by_role("link", name="Routes")
    expect(routes).to_be_hidden()
    patrols = page.get_by_role("button", name="Patrols")
    patrols.click()
    expect(patrols).to_have_attribute("aria-expanded", "true")
    expect(routes).to_be_visible()
    page.screenshot(path="test-results/navigation-desktop.png")
    routes.click()
    expect(page).to_have_url(f"{live_server.url}/s/huayuan/patrols/routes/")
    # the area of the current page is marked, and the drop-down closes with Escape, back on its button
    volunteers = page.get_by_role("button", name="Volunteers")
    volunteers.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="Applications")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("link", name="Applications")).to_be_hidden()
    expect(volunteers).to_be_focused()


def test_anonymous_resident_finds_the_menu_on_a_phone(browser, live_server, station):
    page = browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True
    ).new_page()
    page.goto(f"{live_server.url}/s/huayuan/report/")
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_be_visible()
    expect(page.get_by_role("link", name="Log in")).to_be_hidden()
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    for name in ("Report", "Follow a report", "Volunteer with us", "Log in"):
        expect(page.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(page.get_by_label("Language")).to_be_visible()
    # nothing sticks out of a 360 px screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path="test-results/navigation-phone-anonymous.png", full_page=True)
    page.get_by_label("Language").select_option("zh-hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
