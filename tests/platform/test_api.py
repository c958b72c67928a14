"""The JSON API: GeoJSON for communities and grid cells, token auth, the OpenAPI schema."""

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import CommunityFactory, GridCellFactory


def api_url(name, station, **kwargs):
    return reverse(f"api:{name}", kwargs={"station": station.slug, **kwargs})


def test_communities_are_a_geojson_feature_collection(login, volunteer_a, station_a, cell_a):
    data = login(volunteer_a).get(api_url("community-list", station_a)).json()
    assert data["type"] == "FeatureCollection"
    [feature] = data["features"]
    assert feature["geometry"]["type"] == "Polygon"
    assert feature["properties"]["slug"] == "garden"
    assert feature["properties"]["grid_cell_count"] == 1
    assert data["count"] == 1


def test_grid_cells_filter_by_community(login, volunteer_a, station_a, community_a, cell_a):
    with scopes_disabled():
        other = CommunityFactory(tenant=station_a, slug="lake")
        GridCellFactory(community=other, code="L-01")
    client = login(volunteer_a)
    all_cells = client.get(api_url("gridcell-list", station_a)).json()
    assert {f["properties"]["code"] for f in all_cells["features"]} == {"GA-01", "L-01"}
    garden = client.get(api_url("gridcell-list", station_a), {"community": "garden"}).json()
    assert [f["properties"]["code"] for f in garden["features"]] == ["GA-01"]


def test_token_authentication(officer_a, station_a, community_a):
    client = APIClient()
    response = client.post(
        reverse("api-token"), {"username": "officer_a", "password": "correct horse battery staple"}
    )
    assert response.status_code == 200
    token = response.json()["token"]
    assert Token.objects.get(user=officer_a).key == token
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get(api_url("community-list", station_a)).status_code == 200


def test_token_of_another_station_gets_404(officer_b, station_a, community_a):
    token = Token.objects.create(user=officer_b)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get(api_url("community-detail", station_a, pk=community_a.pk)).status_code == 404


@pytest.mark.parametrize("size", [1, 12])
def test_list_costs_a_fixed_number_of_queries(size, login, volunteer_a, station_a, django_assert_num_queries):
    with scopes_disabled():
        for _ in range(size):
            GridCellFactory(community=CommunityFactory(tenant=station_a))
    client = login(volunteer_a)
    client.get(api_url("gridcell-list", station_a))  # warm the session
    # station, session, user, memberships (roles), count, cells joined with their communities
    with django_assert_num_queries(6):
        assert len(client.get(api_url("gridcell-list", station_a)).json()["features"]) == size


@pytest.mark.parametrize("size", [1, 9])
def test_station_home_costs_a_fixed_number_of_queries(
    size, login, volunteer_a, station_a, django_assert_num_queries
):
    with scopes_disabled():
        for _ in range(size):
            GridCellFactory(community=CommunityFactory(tenant=station_a))
    client = login(volunteer_a)
    client.get(reverse("tenancy:home", kwargs={"station": station_a.slug}))
    # station, session, user, memberships (roles), communities with counts, their grid cells,
    # whether the volunteer mediates disputes (navigation), the user's memberships for the switcher
    with django_assert_num_queries(8):
        page = client.get(reverse("tenancy:home", kwargs={"station": station_a.slug}))
    assert len(page.context["communities"]) == size


def test_openapi_schema_lists_the_station_endpoints(client, db):
    response = client.get(reverse("api-schema"), {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/s/{station}/communities/" in paths
    assert "/api/s/{station}/grid-cells/{id}/" in paths


def test_api_docs_are_served_without_a_cdn(client, db):
    page = client.get(reverse("api-docs")).content.decode()
    assert "swagger-ui" in page
    assert "cdn." not in page and "jsdelivr" not in page


def test_geojson_lists_answer_as_the_schema_says(officer_a, station_a, cell_a):
    """Communities and grid cells are one FeatureCollection with the page's count and links: the
    schema declared a paginated list (a required ``results``) of FeatureCollections."""
    from tests.support import answer_as_documented

    for path in ("/api/s/{station}/communities/", "/api/s/{station}/grid-cells/"):
        answer = answer_as_documented(officer_a, "GET", path, station=station_a.slug).json()
        assert answer["type"] == "FeatureCollection" and answer["count"] == 1
