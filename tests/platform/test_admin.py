"""The platform operator creates a station, with its boundary, in the admin."""

import json

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from jointdefense.core.models import AuditEvent
from jointdefense.tenancy.models import Tenant
from tests.factories import UserFactory

BOUNDARY = {
    "type": "MultiPolygon",
    "coordinates": [[[[113.60, 34.70], [113.64, 34.70], [113.64, 34.74], [113.60, 34.74], [113.60, 34.70]]]],
}


@pytest.fixture
def operator(db):
    return UserFactory(username="operator", is_staff=True, is_superuser=True)


def station_form(**overrides):
    return {
        "name_en": "Jingba Road Police Station",
        "name_zh_hans": "经八路派出所",
        "slug": "jingba-road",
        "kind": "station",
        "parent": "",
        "default_language": "zh-hans",
        "time_zone": "Asia/Shanghai",
        "phone_region": "CN",
        "boundary": json.dumps(BOUNDARY),
        "is_active": "on",
        **overrides,
    }


def test_operator_creates_a_station_with_its_boundary(login, operator, bureau):
    client = login(operator)
    assert client.get(reverse("admin:tenancy_tenant_add")).status_code == 200
    response = client.post(reverse("admin:tenancy_tenant_add"), station_form(parent=bureau.pk))
    assert response.status_code == 302, response.context["adminform"].form.errors
    station = Tenant.objects.get(slug="jingba-road")
    assert station.parent == bureau
    assert station.name_zh_hans == "经八路派出所"
    assert station.boundary.contains(station.boundary.centroid)
    with scopes_disabled():
        assert AuditEvent.objects.filter(tenant=station, action="tenant.created", actor=operator).exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("time_zone", "Mars/Olympus", "is not a known time zone"),
        ("boundary", "", "Draw the station"),
        ("slug", "Jingba_Road", "Use lowercase letters"),
    ],
)
def test_bad_station_is_refused_with_a_message_and_nothing_saved(login, operator, field, value, message):
    response = login(operator).post(reverse("admin:tenancy_tenant_add"), station_form(**{field: value}))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Tenant.objects.filter(slug__in=["jingba-road", "Jingba_Road"]).exists()


def test_station_cannot_have_a_station_as_parent(login, operator, station_a):
    response = login(operator).post(reverse("admin:tenancy_tenant_add"), station_form(parent=station_a.pk))
    assert response.status_code == 200
    assert not Tenant.objects.filter(slug="jingba-road").exists()


def test_operator_sees_every_stations_communities(login, operator, community_a, community_b):
    page = login(operator).get(reverse("admin:tenancy_community_changelist"))
    assert page.status_code == 200
    assert "Garden Community" in page.content.decode() and "River Community" in page.content.decode()


def test_a_station_officer_cannot_use_the_admin(login, officer_a):
    assert login(officer_a).get(reverse("admin:index")).status_code == 302
