"""Every page each demo person reaches, checked in headless Chromium the way an outside audit does:
axe-core (axe-playwright-python) finds no violation on a 360 px phone, nothing sticks out sideways
on that phone, and no page answers with an error. The pages are found, not listed: each person's
menu, then the links on those pages one level down (one page of each shape, ``/reports/12/`` and
``/reports/34/`` being one shape), so a new page is checked the day it is linked.

One test walks everyone, because the demo (``seed_demo``, made small) is loaded once."""

import re
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command

from jointdefense.tenancy.models import Tenant

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "accessible streets"
PEOPLE = ["chief", "officer.li", "leader.chen", "vol.01", "bureau"]
IN_CHINESE = {None, "chief", "vol.01"}  # their menu pages are checked in Simplified Chinese too
PER_PERSON = 45  # pages per person at most, menu pages first
# not pages: downloads, sign-out, the API and its documentation (checked by the API tests), admin
SKIP = re.compile(
    r"(/csv/|\.csv|/pdf/|/download|/logout|/accounts/logout|^/api/|^/admin/|/qr\.svg|/media/|/photos/)"
)
axe = Axe()


def shape(path):
    """``/s/x/reports/12/`` and ``/s/x/reports/34/?status=new`` are one page to check."""
    path = path.split("?")[0]
    return re.sub(r"/\d+(?=/|$)", "/#", re.sub(r"/[0-9a-f]{8,}(?=/|$)", "/@", path))


def log_in(page, url, username, password):
    page.goto(f"{url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def links(page, within):
    hrefs = page.eval_on_selector_all(f"{within} a[href]", "els => els.map(e => e.getAttribute('href'))")
    found = []
    for href in hrefs:
        parts = urlsplit(href)
        if parts.netloc or not parts.path.startswith("/") or SKIP.search(parts.path):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def problems(page):
    """axe's violations on the page, and a page wider than the phone."""
    found = []
    results = axe.run(page)
    for violation in results.response["violations"]:
        targets = [" ".join(node["target"]) for node in violation["nodes"][:3]]
        found.append(f"{violation['id']} ({violation['impact']}): {violation['help']} — {targets}")
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > 360:
        found.append(f"the page is {width} px wide on a 360 px phone")
    return found


def phone(browser):
    return browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)


def sweep(browser, base, password, station="huayuan-road"):
    """Walk every demo person's pages on ``base``: ``{"person path": [problems]}``."""
    report = {}
    visits = {
        None: [
            f"/s/{station}/report/",
            f"/s/{station}/track/",
            f"/s/{station}/volunteer/apply/",
            "/accounts/login/",
        ]
    }
    for person in PEOPLE:
        context = phone(browser)
        page = context.new_page()
        log_in(page, base, person, password)
        visits[person] = [urlsplit(page.url).path, *links(page, "nav")]
        context.close()
    for person, start in visits.items():
        context = phone(browser)
        page = context.new_page()
        if person:
            log_in(page, base, person, password)
        menu = list(dict.fromkeys(start))
        queue, seen, checked = list(menu), set(), 0
        while queue and checked < PER_PERSON:
            path = queue.pop(0)
            if shape(path) in seen:
                continue
            seen.add(shape(path))
            response = page.goto(base + path)
            checked += 1
            status = response.status if response else 0
            where = f"{person or 'anonymous'} {path}"
            if status >= 500 or (path in menu and status >= 400) or not status:
                # the menu's own links must open; a link further in may lead where one may not go
                report[where] = [f"answered {status or 'nothing'}"]
                continue
            if status >= 400 or "text/html" not in (response.headers.get("content-type") or ""):
                continue
            found = problems(page)
            if found:
                report[where] = found
            if path in menu:
                queue += [p for p in links(page, "main") if shape(p) not in seen]
        if person in IN_CHINESE:
            # the same menu in Simplified Chinese: longer words must not break the phone layout
            context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": base}])
            for path in menu:
                response = page.goto(base + path)
                if response and response.ok and "text/html" in (response.headers.get("content-type") or ""):
                    found = problems(page)
                    if found:
                        report[f"{person or 'anonymous'} {path} (zh-hans)"] = found
        context.close()
    return report


@pytest.fixture
def demo(transactional_db, settings):
    settings.DEMO_PASSWORD = DEMO_PASSWORD
    call_command("seed_demo", volunteers=12, reports=40, mediations=4, verbosity=0)
    return Tenant.objects.get(slug="huayuan-road")


@pytest.mark.timeout(900)  # the demo, then about 150 pages with axe on each
def test_every_page_of_every_demo_person_passes_axe_on_a_phone(browser, live_server, demo):
    report = sweep(browser, live_server.url, DEMO_PASSWORD)
    assert not report, "\n".join(f"{where}:\n  " + "\n  ".join(found) for where, found in report.items())
