"""In headless Chromium (Debian's), on a phone-sized screen: the demo chief logs in, switches the
language and sees the station map with its five communities."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(transactional_db, settings):
    call_command("seed_demo", volunteers=30, reports=5, verbosity=0)
    return settings.DEMO_PASSWORD


def test_chief_logs_in_switches_language_and_sees_the_map(page, live_server, demo):
    page.goto(f"{live_server.url}/")
    page.get_by_label("Username").fill("chief")
    page.get_by_label("Password").fill(demo)
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Huayuan Road Police Station")
    the_map = page.locator("#station-map")
    expect(the_map).to_have_attribute("data-map-ready", "true")
    expect(page.locator("#station-map path.layer-community")).to_have_count(5)
    expect(page.locator("#station-map path.layer-grid-cell")).to_have_count(28)
    page.screenshot(path="test-results/station-home-en.png", full_page=True)

    page.get_by_role("button", name="Menu").click()
    page.get_by_label("Language").select_option("zh-hans")

    expect(page.get_by_role("heading", level=1)).to_have_text("花园路派出所")
    expect(page.locator(".stat-label").first).to_have_text("社区")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("#station-map path.layer-community")).to_have_count(5)
    page.screenshot(path="test-results/station-home-zh.png", full_page=True)
