"""In headless Chromium (Debian's), on a 360 px screen, under the portal's Content-Security-Policy:
the demo chief logs in, opens the dashboard, changes the period, sees a trend chart drawn and the
heat layer on the map, follows a figure to its list (which holds the counted rows), and the page
never scrolls sideways; the browser reports no violation of the policy."""

import re

import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import expect

from tests.support import CSP_WATCH as WATCH
from tests.support import MAP_TILE as TILE

pytestmark = pytest.mark.browser

DASHBOARD = "/s/huayuan-road/dashboard/"


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", volunteers=30, reports=60, mediations=12, verbosity=0)
    return settings.DEMO_PASSWORD


@pytest.fixture
def narrow(browser):
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    context.add_init_script(WATCH)
    page = context.new_page()
    console = []
    page.on("console", lambda message: console.append(message.text))
    page.route(
        re.sub(r"\{[a-z]\}", "*", settings.MAP_TILES_URL),
        lambda route: route.fulfill(status=200, content_type="image/png", body=TILE),
    )
    page.console = console
    yield page
    context.close()


def no_violations(page):
    found = page.evaluate("window.__cspViolations")
    policy = [m for m in page.console if "Content Security Policy" in m]
    assert not found and not policy, found + policy


def no_sideways_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def canvas_drawn(page, selector):
    """Some pixel of the canvas is painted."""
    return page.locator(selector).first.evaluate(
        """canvas => {
          const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
          for (let i = 3; i < data.length; i += 4) { if (data[i] > 0) { return true; } }
          return false;
        }"""
    )


def test_the_chief_reads_the_dashboard_on_a_phone(narrow, live_server, demo):
    page = narrow
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("chief")
    page.get_by_label("Password").fill(demo)
    page.get_by_role("button", name=re.compile("Log in", re.I)).click()
    page.wait_for_load_state()
    page.goto(f"{live_server.url}{DASHBOARD}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")

    # a trend chart drawn by Chart.js, with its table of the same numbers
    chart = page.locator('[data-figure="incidents.reports_received"] canvas[data-chart]')
    expect(chart).to_have_attribute("data-chart-ready", "true")
    page.wait_for_timeout(600)  # the chart's entry animation
    assert canvas_drawn(page, '[data-figure="incidents.reports_received"] canvas[data-chart]')
    expect(page.get_by_role("table", name="Reports received, week by week")).to_be_visible()

    # the heat layer: a canvas in Leaflet's overlay pane, from the JSON the page fetched
    heat_map = page.locator(".dash-heat .leaflet-container")
    expect(heat_map).to_have_attribute("data-heat-ready", "true")
    assert int(heat_map.get_attribute("data-heat-points")) > 0
    expect(page.locator(".dash-heat .leaflet-overlay-pane canvas.leaflet-heatmap-layer")).to_have_count(1)
    # the station's and its communities' outlines, fetched with the points, drawn under them
    assert page.locator(".dash-heat .leaflet-overlay-pane svg path").count() >= 2
    expect(page.get_by_role("table", name="Reports by community")).to_be_visible()
    assert no_sideways_scroll(page)
    no_violations(page)
    page.screenshot(path="test-results/dashboard-month.png", full_page=True)

    # another period: the week
    page.get_by_role("combobox", name="Period").select_option("week")
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state()
    assert "period=week" in page.url
    expect(heat_map).to_have_attribute("data-heat-ready", "true")
    expect(chart).to_have_attribute("data-chart-ready", "true")
    assert no_sideways_scroll(page)
    no_violations(page)

    # a figure leads to its list, which holds the counted rows
    value = page.locator('tr[data-figure="incidents.reports_received"] [data-testid="value"] a')
    counted = int(value.inner_text())
    assert counted > 0
    value.click()
    page.wait_for_load_state()
    assert "/s/huayuan-road/reports/" in page.url and "start=" in page.url
    expect(page.locator('[data-testid="triage-queue"] tbody tr')).to_have_count(counted)
