"""The navigation the apps register (core.registry): grouped by area, each role's landing page first,
a menu for everyone on a phone (anonymous residents included), nothing a person cannot open."""

import re

import pytest
from django.urls import reverse

from jointdefense.core.registry import NavItem, Registry, navigation
from jointdefense.tenancy.models import Role
from tests.factories import member


def home(station):
    return reverse("tenancy:home", kwargs={"station": station.slug})


def nav_html(response):
    html = response.content.decode()
    start = html.index('<nav id="main-nav"')
    return html[start : html.index("</nav>", start)]


def links(nav):
    return re.findall(r'<a [^>]*href="([^"]+)"[^>]*>([^<]+)</a>', nav)


def landing(nav):
    match = re.search(r'<li class="nav-landing"><a href="([^"]+)"', nav)
    return match.group(1) if match else None


def groups(nav):
    return re.findall(r'data-nav-group="([a-z]+)"', nav)


def test_officer_lands_on_the_desk_and_sees_the_areas_in_order(login, officer_a, station_a):
    nav = nav_html(login(officer_a).get(home(station_a)))
    assert landing(nav) == reverse("tenancy:desk", kwargs={"station": station_a.slug})
    assert groups(nav) == ["reports", "patrols", "volunteers", "training", "points", "station"]
    labels = [label for _url, label in links(nav)]
    assert {"Mediations", "Routes", "Duty board", "Applications", "Teams", "Communities"} <= set(labels)
    # the landing page is not repeated inside its group
    assert "My desk" not in labels and "Report queue" in labels
    assert "My patrol" not in labels and "My volunteering" not in labels


def test_each_role_lands_on_its_own_page(login, station_a, chief_a, volunteer_a):
    leader = member(station_a, Role.TEAM_LEADER, username="leader_a")
    expected = {
        chief_a: reverse("tenancy:dashboard", kwargs={"station": station_a.slug}),  # issue 13
        volunteer_a: reverse("patrols:my-patrol", kwargs={"station": station_a.slug}),
        leader: reverse("patrols:coverage", kwargs={"station": station_a.slug}),
    }
    for user, url in expected.items():
        assert landing(nav_html(login(user).get(home(station_a)))) == url, user.username


def test_volunteer_sees_their_own_pages_and_no_staff_pages(login, volunteer_a, station_a):
    labels = {label for _url, label in links(nav_html(login(volunteer_a).get(home(station_a))))}
    assert {"My volunteering", "Shifts", "Report"} <= labels
    assert "Volunteer with us" not in labels  # they already are one
    assert not labels & {"Applications", "Volunteers", "Routes", "Check-in review", "People"}


def test_every_link_in_every_roles_menu_opens(login, station_a, chief_a, officer_a, patroller_a):
    leader = member(station_a, Role.TEAM_LEADER, username="leader_a")
    for user in (chief_a, officer_a, patroller_a.user, leader):
        client = login(user)
        for url, label in links(nav_html(client.get(home(station_a)))):
            if url.startswith("/s/"):
                assert client.get(url).status_code == 200, (user.username, label, url)


def test_anonymous_resident_gets_a_menu_with_the_public_pages_language_and_log_in(client, station_a):
    response = client.get(reverse("incidents:report", kwargs={"station": station_a.slug}))
    html = response.content.decode()
    assert "data-menu-toggle" in html
    nav = nav_html(response)
    labels = {label for _url, label in links(nav)}
    assert {"Report", "Follow a report", "Volunteer with us", "Log in"} <= labels
    assert 'name="language"' in nav
    assert not labels & {"Report queue", "Routes", "Volunteers", "Overview"}
    for url, _label in links(nav):
        if url.startswith("/s/"):
            assert client.get(url).status_code == 200, url


def test_bureau_viewer_gets_no_station_only_page(login, bureau_viewer, bureau):
    nav = nav_html(login(bureau_viewer).get(home(bureau)))
    labels = {label for _url, label in links(nav)}
    assert "Overview" in labels or landing(nav) == home(bureau)
    # a bureau has no report form or application form of its own (these were 404s)
    assert not labels & {"Report", "Follow a report", "Volunteer with us"}


@pytest.mark.parametrize("order", [[1, 2], [2, 1]])
def test_a_registry_keeps_one_entry_per_key_in_order(order):
    registry: Registry[NavItem] = Registry("test")
    for n in order:
        registry.register(NavItem(f"app:page-{n}", f"Page {n}", "station.view", group="station", order=n))
    registry.register(NavItem("app:page-1", "Page 1 again", "station.view", group="station", order=1))
    assert [item.label for item in registry] == ["Page 1 again", "Page 2"]


def test_every_registered_entry_names_a_known_group_permission_and_url():
    from jointdefense.core.registry import NAV_GROUPS
    from jointdefense.tenancy.roles import PERMISSIONS, PUBLIC

    assert len(navigation) >= 20
    for item in navigation:
        assert item.group in NAV_GROUPS, item
        assert item.permission == PUBLIC or item.permission in PERMISSIONS, item
        reverse(item.url_name, kwargs={"station": "any-station"})


def test_the_station_switcher_shows_only_to_someone_in_several_stations(
    login, officer_a, station_a, station_b
):
    from jointdefense.tenancy.models import Membership

    client = login(officer_a)
    assert 'data-testid="station-switcher"' not in client.get(home(station_a)).content.decode()
    Membership.objects.create(tenant=station_b, user=officer_a, roles=[Role.OFFICER])
    page = client.get(home(station_a)).content.decode()
    assert 'data-testid="station-switcher"' in page and reverse("stations") in page
