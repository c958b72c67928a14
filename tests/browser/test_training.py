"""In headless Chromium on a 360 px phone screen: an officer records a session's attendance and
results on one page; the volunteer then sees the certificate, opens its verification page by the
QR code's link and can sign up for a shift (the training gate no longer refuses them)."""

import datetime

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from playwright.sync_api import expect

from jointdefense.tenancy.models import Role
from patrols.models import Signup
from tests.factories import (
    CommunityFactory,
    ShiftFactory,
    StationFactory,
    UserFactory,
    active_volunteer,
    course_made,
    enrolled,
    member,
    session_made,
    station_defaults,
)
from training.models import Certificate

pytestmark = pytest.mark.browser

PASSWORD = "a quiet street at night"


def log_in(page, live_server, username):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_officer_records_a_session_then_the_volunteer_holds_the_certificate_and_signs_up(
    page, live_server, transactional_db
):
    page.set_viewport_size({"width": 360, "height": 780})
    station = station_defaults(StationFactory(name="Huayuan Road Station", slug="huayuan"))
    with scopes_disabled():
        CommunityFactory(tenant=station, name="Garden Community", slug="garden")
    officer = member(station, Role.OFFICER, username="officer.li", full_name="Officer Li", password=PASSWORD)
    user = UserFactory(username="vol.wang", password=PASSWORD)
    volunteer = active_volunteer(station, officer, user=user, full_name="Wang Fang")
    # the course every patroller needs, and a session of it that began an hour ago
    course = course_made(
        station, "Patrol basics", assessment="pass_fail", valid_months=12, required_for_roles=["patrol"]
    )
    session = session_made(course, starts_in=-datetime.timedelta(hours=1))
    enrolled(session, volunteer)
    with scope(tenant=station):
        ShiftFactory(
            tenant=station,
            route__tenant=station,
            route__name="Market street",
            starts_at=timezone.now() + datetime.timedelta(days=2),
        )

    log_in(page, live_server, "officer.li")
    page.goto(f"{live_server.url}/s/huayuan/training/sessions/{session.pk}/")
    page.get_by_role("link", name="Record attendance and results").click()
    row = page.get_by_test_id("attendance-row")
    expect(row).to_contain_text("Wang Fang")
    row.get_by_label("Present").check()
    row.get_by_label("Result of Wang Fang").select_option("passed")
    page.screenshot(path="test-results/training-attendance-phone.png", full_page=True)
    page.get_by_role("button", name="Save attendance").click()
    expect(page.locator(".message")).to_contain_text("Attendance and results saved.")
    expect(page.get_by_test_id("enrolled")).to_contain_text("Passed")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling

    log_in(page, live_server, "vol.wang")
    page.get_by_role("button", name="Menu").click()
    page.get_by_role("link", name="My training").click()
    certificates = page.get_by_test_id("certificates")
    expect(certificates).to_contain_text("Patrol basics")
    certificates.get_by_role("link", name="Patrol basics").click()
    expect(page.get_by_test_id("certificate")).to_contain_text("Wang Fang")
    page.screenshot(path="test-results/training-certificate-phone.png", full_page=True)
    page.get_by_test_id("verify-link").click()  # where the QR code leads
    expect(page.get_by_test_id("verification")).to_have_attribute("data-state", "valid")
    expect(page.get_by_role("heading", level=1)).to_have_text("Valid certificate")

    page.goto(f"{live_server.url}/s/huayuan/patrols/shifts/")
    page.get_by_role("button", name="Sign up").click()
    expect(page.locator(".message")).to_contain_text("You are on the shift")
    with scopes_disabled():
        assert Certificate.objects.filter(volunteer=volunteer, course=course).count() == 1
        assert Signup.objects.get(volunteer=volunteer).withdrawn_at is None
