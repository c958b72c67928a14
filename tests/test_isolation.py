"""Every station URL so far, pages and API: another station's member gets 404 exactly like a
missing object; an anonymous visitor is sent to log in; too little role is a 403."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

# Each station URL with the kwargs it needs beyond the station; objects come from station A.
STATION_URLS = {
    "tenancy:home": {},
    "tenancy:community-list": {},
    "tenancy:community-detail": {"community": "garden"},
    "tenancy:member-list": {},
    "api:community-list": {},
    "api:community-detail": {"pk": "community_a.pk"},
    "api:gridcell-list": {},
    "api:gridcell-detail": {"pk": "cell_a.pk"},
}


def station_url_names():
    """Every named URL pattern whose route contains <station>."""
    names = set()

    def walk(patterns, prefix, namespace):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern) and "<slug:station>" in prefix + str(p.pattern) and p.name:
                names.add(namespace + p.name)

    walk(get_resolver().url_patterns, "", "")
    return names


def test_every_station_url_is_covered_here():
    assert station_url_names() == set(STATION_URLS), "add new station URLs to STATION_URLS"


def url_for(name, station, objects):
    kwargs = {}
    for key, value in STATION_URLS[name].items():
        if value.endswith(".pk"):
            kwargs[key] = objects[value.split(".")[0]].pk
        else:
            kwargs[key] = value
    return reverse(name, kwargs={"station": station.slug, **kwargs})


@pytest.fixture
def objects(community_a, cell_a):
    return {"community_a": community_a, "cell_a": cell_a}


@pytest.mark.parametrize("name", sorted(STATION_URLS))
def test_member_sees_it(name, login, officer_a, station_a, objects):
    assert login(officer_a).get(url_for(name, station_a, objects)).status_code == 200


@pytest.mark.parametrize("name", sorted(STATION_URLS))
def test_outsider_gets_404(name, login, officer_b, station_a, objects):
    """Station B's officer asking for station A's pages and objects."""
    assert login(officer_b).get(url_for(name, station_a, objects)).status_code == 404


@pytest.mark.parametrize("name", [n for n, kw in STATION_URLS.items() if kw])
def test_other_stations_object_through_own_station_is_404(
    name, login, officer_b, station_a, station_b, objects
):
    """Station B's officer using B's own URL with A's object ids: the same 404 as a missing one."""
    client = login(officer_b)
    assert client.get(url_for(name, station_b, objects)).status_code == 404


@pytest.mark.parametrize("name", sorted(STATION_URLS))
def test_missing_station_is_404(name, login, officer_a, station_a, objects):
    url = url_for(name, station_a, objects).replace("/station-a/", "/no-such-station/")
    assert login(officer_a).get(url).status_code == 404


@pytest.mark.parametrize("name", sorted(n for n in STATION_URLS if not n.startswith("api:")))
def test_anonymous_is_sent_to_log_in(name, anonymous, station_a, objects):
    response = anonymous.get(url_for(name, station_a, objects))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.parametrize("name", sorted(n for n in STATION_URLS if n.startswith("api:")))
def test_anonymous_api_call_is_refused(name, anonymous, station_a, objects):
    assert anonymous.get(url_for(name, station_a, objects)).status_code in (401, 403)


def test_volunteer_may_not_see_the_people_page(login, volunteer_a, station_a):
    client = login(volunteer_a)
    assert client.get(reverse("tenancy:member-list", kwargs={"station": station_a.slug})).status_code == 403
    home = client.get(reverse("tenancy:home", kwargs={"station": station_a.slug}))
    assert reverse("tenancy:member-list", kwargs={"station": station_a.slug}) not in home.content.decode()


def test_officer_sees_the_people_page_in_navigation(login, officer_a, volunteer_a, station_a):
    page = login(officer_a).get(reverse("tenancy:member-list", kwargs={"station": station_a.slug}))
    assert page.status_code == 200
    assert "Volunteer A" in page.content.decode()


def test_bureau_viewer_reads_its_stations_but_not_others(login, bureau_viewer, station_a, community_a):
    from .factories import StationFactory

    client = login(bureau_viewer)
    assert client.get(reverse("tenancy:home", kwargs={"station": station_a.slug})).status_code == 200
    assert client.get(reverse("tenancy:member-list", kwargs={"station": station_a.slug})).status_code == 200
    elsewhere = StationFactory(slug="elsewhere")
    assert client.get(reverse("tenancy:home", kwargs={"station": elsewhere.slug})).status_code == 404


def test_bureau_home_rolls_up_its_stations(login, bureau_viewer, bureau, community_a, community_b, cell_a):
    page = login(bureau_viewer).get(reverse("tenancy:home", kwargs={"station": bureau.slug}))
    assert page.status_code == 200
    rows = page.context["stations"]
    assert [(s.slug, s.community_count, s.grid_cell_count) for s in rows] == [
        ("station-a", 1, 1),
        ("station-b", 1, 0),
    ]


def test_inactive_membership_gives_no_access(login, officer_a, station_a):
    from django_scopes import scopes_disabled

    from jointdefense.tenancy.models import Membership

    with scopes_disabled():
        Membership.objects.filter(user=officer_a).update(is_active=False)
    assert (
        login(officer_a).get(reverse("tenancy:home", kwargs={"station": station_a.slug})).status_code == 404
    )
