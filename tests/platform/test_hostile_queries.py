"""Hostile query strings get a 2xx or a 4xx with a message, never a 500."""

import pytest
from django.urls import get_resolver, reverse


def api_list_names():
    """Every list route of the station API (router names ending in -list, only the station kwarg)."""
    names = []
    api = get_resolver().namespace_dict["api"][1]
    for name in api.reverse_dict:
        if isinstance(name, str) and name.endswith("-list"):
            names.append(name)
    return sorted(set(names))


LIST_NAMES = api_list_names()
HOSTILE = [
    "limit=10000000000000000000000",
    "offset=10000000000000000000000",
    "limit=-5",
    "limit=abc&offset=%00",
    "page=99999999999999999999",
    "page_size=10000000000000000000000",
]


def test_the_api_has_list_routes():
    assert len(LIST_NAMES) >= 15, LIST_NAMES


@pytest.mark.parametrize("name", LIST_NAMES)
def test_hostile_paging_on_every_api_list_is_not_a_server_error(
    name, login, chief_a, station_a, patroller_a, team_a
):
    client = login(chief_a)
    url = reverse(f"api:{name}", kwargs={"station": station_a.slug})
    for query in HOSTILE:
        response = client.get(f"{url}?{query}")
        assert response.status_code < 500, (name, query, response.status_code)


def test_a_huge_limit_is_capped(login, chief_a, station_a, patroller_a):
    url = reverse("api:volunteer-list", kwargs={"station": station_a.slug})
    body = login(chief_a).get(f"{url}?limit=10000000000000000000000").json()
    assert "results" in body
    assert len(body["results"]) == 1 and body["count"] == 1
