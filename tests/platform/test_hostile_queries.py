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


def station_url(name, station, **kwargs):
    return reverse(name, kwargs={"station": station.slug, **kwargs})


@pytest.mark.parametrize(
    "query", ["category=abc", "category=1e30", "category=%00", "lat=%00&lng=1e400", "lat=91&lng=0&category=1"]
)
def test_nearby_reports_with_hostile_parameters_is_a_4xx_or_empty(client, station_a, query):
    response = client.get(f"{station_url('incidents:report-nearby', station_a)}?{query}")
    assert response.status_code < 500


def test_a_tracking_code_with_a_nul_byte_is_not_found(client, station_a):
    assert client.get(f"/s/{station_a.slug}/track/%00/").status_code in (400, 404)


@pytest.mark.parametrize(
    "path",
    [
        "services.json?jurisdiction_id=%00",
        "requests.json?jurisdiction_id={s}&service_request_id=%00",
        "requests.json?jurisdiction_id={s}&service_code=%00",
        "requests.json?jurisdiction_id={s}&start_date=0519-04-05T21:57:42-16:14",
        "requests.json?jurisdiction_id={s}&end_date=2026-01-01T00:00:00%2B18:30",
        "requests.json?jurisdiction_id={s}&start_date=%00",
    ],
)
def test_open311_reads_with_hostile_parameters_are_4xx(client, station_a, path):
    response = client.get("/open311/v2/" + path.format(s=station_a.slug))
    assert 400 <= response.status_code < 500 or response.status_code == 200, response.status_code


def test_open311_post_with_a_nul_byte_is_a_400(client, station_a):
    response = client.post(
        "/open311/v2/requests.json",
        {"jurisdiction_id": station_a.slug, "service_code": "haz\x00ard", "lat": "1", "long": "1"},
    )
    assert response.status_code == 400


@pytest.mark.parametrize("name", ["incidents:triage", "incidents:triage-map"])
@pytest.mark.parametrize("query", ["older_than=999999999", "older_than=-1", "older_than=%00"])
def test_the_queue_and_its_map_with_hostile_filters(login, officer_a, station_a, name, query):
    response = login(officer_a).get(f"{station_url(name, station_a)}?{query}")
    assert response.status_code < 500


@pytest.mark.parametrize(
    "query",
    ["older_than=999999999", "since=0001-01-01T00:00:00-23:59", "until=9999-12-31T23:59:59%2B18:30"],
)
def test_the_reports_api_with_hostile_filters(login, officer_a, station_a, query):
    response = login(officer_a).get(f"{station_url('api:report-list', station_a)}?{query}")
    assert response.status_code < 500


@pytest.mark.parametrize(
    "name,query",
    [
        ("api:shift-list", "starts_after=0001-01-01T00:00:00-23:59"),
        ("api:shift-list", "starts_after=9999-12-31T23:59:59%2B18:30"),
        ("api:checkin-list", "since=0001-01-01T00:00:00-23:59"),
        ("api:patrol-list", "until=9999-12-31T23:59:59%2B18:30"),
    ],
)
def test_date_time_filters_out_of_range(login, officer_a, station_a, name, query):
    response = login(officer_a).get(f"{station_url(name, station_a)}?{query}")
    assert response.status_code < 500


def test_a_leaderboard_of_the_year_9999(login, officer_a, station_a):
    response = login(officer_a).get(f"{station_url('teams:leaderboard', station_a)}?month=9999-12")
    assert response.status_code < 500


@pytest.mark.parametrize("name", ["api:checkpoint-list", "api:schedule-list"])
def test_an_unknown_route_on_a_write_is_a_400(login, officer_a, station_a, name):
    response = login(officer_a).post(
        station_url(name, station_a), {"route": 999999, "name": "x"}, content_type="application/json"
    )
    assert response.status_code == 400


def test_a_400_digit_number_in_geojson_is_a_400(login, officer_a, station_a):
    big = "1" + "0" * 400
    path = '{"type": "LineString", "coordinates": [[' + big + ", 1], [2, 2]]}"
    body = '{"name": "r", "tier": "community", "path": ' + path + "}"
    response = login(officer_a).post(
        station_url("api:route-list", station_a), body, content_type="application/json"
    )
    assert response.status_code == 400


def test_an_impossible_phone_time_is_a_400(login, patroller_a, station_a):
    response = login(patroller_a.user).post(
        station_url("api:checkin-list", station_a),
        {
            "qr_token": "x",
            "client_id": "6f1c1b3e-6a43-4a8e-9c1f-0a1b2c3d4e5f",
            "device_time": "2024-02-30T10:00",
        },
        content_type="application/json",
    )
    assert response.status_code == 400


def test_a_json_body_with_a_nul_character_is_a_400(login, officer_a, station_a):
    response = login(officer_a).post(
        station_url("api:team-list", station_a), '{"name": "A\\u0000B"}', content_type="application/json"
    )
    assert response.status_code == 400
    assert "not allowed" in response.json()["detail"]
