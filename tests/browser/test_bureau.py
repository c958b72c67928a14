"""In headless Chromium on a 360 px phone: the demo bureau viewer compares the bureau's two
stations side by side (the table scrolls inside its card with the stations' names kept in view),
sorts them by a figure both ways, opens a station's dashboard for the same period, and ranks the
stations on a figure."""

import datetime
import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

ACTIVE = "teams.active_volunteers"


def last_weeks():
    """The demo's past weeks of patrols: the last eight weeks up to today."""
    today = timezone.localdate()
    return f"start={(today - datetime.timedelta(days=56)).isoformat()}&end={today.isoformat()}"


@pytest.fixture
def demo(transactional_db, settings):
    call_command("seed_demo", volunteers=30, reports=5, verbosity=0)
    return settings.DEMO_PASSWORD


def test_the_bureau_compares_two_stations_on_a_phone(browser, live_server, demo):
    page = browser.new_context(
        viewport={"width": 360, "height": 780}, is_mobile=True, has_touch=True
    ).new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("bureau")
    page.get_by_label("Password").fill(demo)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    page.goto(f"{live_server.url}/s/jinshui-bureau/dashboard/?{last_weeks()}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Stations side by side")
    table = page.get_by_test_id("side-by-side")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(2)
    for n in range(2):
        assert rows.nth(n).locator(f'td[data-figure="{ACTIVE}"]').inner_text() not in ("0", "—")
        assert rows.nth(n).locator('td[data-figure="patrols.hours"]').inner_text() not in ("0.0 h", "—")
    expect(table.locator("tfoot th")).to_have_text("Bureau total")
    # the page does not scroll sideways: the table scrolls in its own wrap, names stay in view
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.locator(".side-wrap").evaluate("wrap => { wrap.scrollLeft = 600; }")
    name = rows.first.locator("th")
    assert name.bounding_box()["x"] < 40 and name.is_visible()
    page.screenshot(path="test-results/bureau-side-by-side.png", full_page=True)

    header = table.locator(f'th[data-figure="{ACTIVE}"]')
    header.get_by_role("link").click()
    expect(header).to_have_attribute("aria-sort", "descending")
    most = rows.first.locator("th").inner_text()
    header.get_by_role("link").click()
    expect(header).to_have_attribute("aria-sort", "ascending")
    expect(rows.first.locator("th")).not_to_have_text(most)
    expect(rows.last.locator("th")).to_have_text(most)

    rows.first.locator("th a").click()
    expect(page).to_have_url(re.compile(r"/s/(huayuan|dongfeng)-road/dashboard/\?start="))
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    expect(page.locator(f'tr[data-figure="{ACTIVE}"] [data-testid="value"]')).not_to_have_text("0")

    page.goto(f"{live_server.url}/s/jinshui-bureau/rankings/?{last_weeks()}")
    page.get_by_label("Rank the stations on").select_option(ACTIVE)
    page.get_by_role("button", name="Show").click()
    ranking = page.get_by_test_id("station-ranking")
    expect(ranking.locator("tbody tr")).to_have_count(2)
    expect(ranking.locator("tbody tr").first.locator("th")).to_have_text(most)
    expect(page.get_by_test_id("team-ranking")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
