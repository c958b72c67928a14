"""In headless Chromium (Debian's), on a phone-sized screen: a person applies to volunteer and sees
their status; an officer, in another browser, screens the application (background review, approval,
activation) and puts the new volunteer in a team, whose roster then shows them."""

import re

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from jointdefense.tenancy.models import Role
from tests.factories import (
    CommunityFactory,
    StationFactory,
    TeamFactory,
    member,
    resident_id,
    station_defaults,
)

pytestmark = pytest.mark.browser

PASSWORD = "a quiet street at night"


@pytest.fixture
def station(transactional_db):
    station = station_defaults(StationFactory(name="Huayuan Road Station", slug="huayuan"))
    with scopes_disabled():
        CommunityFactory(tenant=station, name="Garden Community", slug="garden")
        TeamFactory(tenant=station, name="Garden Patrol")
    member(station, Role.OFFICER, username="officer.li", full_name="Officer Li", password=PASSWORD)
    return station


def test_person_applies_on_a_phone_and_officer_screens_and_adds_them_to_a_team(
    page, browser, browser_context_args, live_server, station
):
    # the applicant, on a phone, with no account
    page.goto(f"{live_server.url}/s/huayuan/volunteer/apply/")
    page.get_by_label("Full name").fill("Wang Fang")
    page.get_by_label("Mobile phone").fill("138 1234 5678")
    page.get_by_label("ID number").fill(resident_id(7))
    page.get_by_label("Home community").select_option(label="Garden Community")
    page.get_by_label(re.compile(r"^Background\b")).select_option(label="Delivery riders")
    page.get_by_label("First aid").check()
    page.get_by_label("Saturday Morning").check()
    page.get_by_label("Sunday Evening").check()
    page.get_by_label(re.compile(r"^Emergency contact\W*$")).fill("Wang Lei")
    page.get_by_label("Emergency contact's phone").fill("13900001111")
    page.get_by_label(re.compile(r"^Password\W*$")).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_label("I agree to a background review").check()
    page.screenshot(path="test-results/apply-phone.png", full_page=True)
    page.get_by_role("button", name="Send my application").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("My volunteering")
    expect(page.get_by_test_id("application-status")).to_contain_text("Applied")
    page.screenshot(path="test-results/apply-phone-status.png", full_page=True)

    # the officer, in another browser
    context = browser.new_context(**browser_context_args)
    officer = context.new_page()
    officer.goto(f"{live_server.url}/accounts/login/")
    officer.get_by_label("Username").fill("officer.li")
    officer.get_by_label("Password").fill(PASSWORD)
    officer.get_by_role("button", name="Log in").click()
    expect(officer.get_by_role("heading", level=1)).to_have_text("Huayuan Road Station")

    officer.get_by_role("button", name="Menu").click()
    officer.get_by_role("link", name="Applications").click()
    officer.get_by_role("link", name="Wang Fang").click()
    expect(officer.get_by_role("heading", level=1)).to_have_text("Wang Fang")
    officer.screenshot(path="test-results/application-phone.png", full_page=True)

    officer.get_by_role("radio", name="Passed").check()
    officer.get_by_role("button", name="Record background review").click()
    expect(officer.locator(".message")).to_contain_text("Background review recorded")
    officer.get_by_role("button", name="Approve", exact=True).click()
    expect(officer.locator("[data-status]").first).to_have_text("Approved")
    officer.get_by_role("button", name="Activate", exact=True).click()
    expect(officer.locator("[data-status]").first).to_have_text("Active")
    officer.screenshot(path="test-results/volunteer-detail-phone.png", full_page=True)

    officer.get_by_role("button", name="Menu").click()
    officer.get_by_role("link", name="Teams").click()
    officer.get_by_role("link", name="Garden Patrol").click()
    officer.get_by_label(re.compile(r"^Volunteer\W*$")).select_option(label="Wang Fang · Garden Community")
    officer.get_by_role("button", name="Add to the team").click()

    expect(officer.get_by_test_id("roster")).to_contain_text("Wang Fang")
    officer.screenshot(path="test-results/team-roster-phone.png", full_page=True)
    context.close()
