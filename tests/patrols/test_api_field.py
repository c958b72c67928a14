"""The API of patrols in the field (patrols.api.views.field): check-ins idempotent by client_id, the
offline queue's batch, officers filtering and reviewing check-ins, patrols with hours, the schema."""

import datetime
import json
import uuid

from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from patrols.models import CheckIn
from tests.factories import MINUTE, at, check_in


def api(name, station, **kwargs):
    return reverse(f"api:{name}", kwargs={"station": station.slug, **kwargs})


def test_api_check_in_is_idempotent_by_client_id(login, patroller_a, patrol_a, checkpoints, station_a):
    client = login(patroller_a.user)
    body = {
        "client_id": str(uuid.uuid4()),
        "checkpoint": checkpoints[0].qr_token,
        "device_time": timezone.now().isoformat(),
        **at(checkpoints[0]),
        "accuracy_m": 5,
    }
    first = client.post(api("checkin-list", station_a), body, content_type="application/json")
    assert first.status_code == 201, first.json()
    assert first.json()["flags"] == [] and first.json()["review"] == "ok"
    again = client.post(api("checkin-list", station_a), body, content_type="application/json")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    bad = client.post(
        api("checkin-list", station_a), {**body, "client_id": "x"}, content_type="application/json"
    )
    assert bad.status_code == 400


def test_api_batch_from_the_offline_queue(login, patroller_a, patrol_a, checkpoints, station_a):
    t0 = timezone.now() - 8 * MINUTE
    items = [
        {
            "client_id": str(uuid.uuid4()),
            "checkpoint": cp.qr_token,
            "device_time": (t0 + i * 4 * MINUTE).isoformat(),
            **at(cp),
        }
        for i, cp in enumerate(checkpoints[:2])
    ]
    client = login(patroller_a.user)
    response = client.post(
        api("checkin-batch", station_a), {"check_ins": items}, content_type="application/json"
    )
    assert response.status_code == 200, response.json()
    assert [r["status"] for r in response.json()["results"]] == ["created", "created"]
    response = client.post(
        api("checkin-batch", station_a), {"check_ins": items}, content_type="application/json"
    )
    assert [r["status"] for r in response.json()["results"]] == ["duplicate", "duplicate"]
    with scopes_disabled():
        stored = list(CheckIn.objects.filter(patrol=patrol_a).order_by("device_time"))
    assert [c.device_time for c in stored] == [t0, t0 + 4 * MINUTE]
    assert all(c.received_at > c.device_time for c in stored)


def test_api_officers_filter_and_review_check_ins(
    login, officer_a, patroller_a, patrol_a, checkpoints, station_a
):
    check_in(patroller_a, checkpoints[0], timezone.now() - 5 * MINUTE)
    flagged, _ = check_in(patroller_a, checkpoints[1], timezone.now(), position={"lat": None, "lng": None})
    client = login(officer_a)
    listed = client.get(api("checkin-list", station_a), {"flag": "no_location"}).json()
    assert [r["id"] for r in listed["results"]] == [flagged.pk]
    listed = client.get(api("checkin-list", station_a), {"review": "ok"}).json()
    assert listed["count"] == 1
    reviewed = client.post(
        api("checkin-review", station_a, pk=flagged.pk),
        {"decision": "reject"},
        content_type="application/json",
    )
    assert reviewed.status_code == 200 and reviewed.json()["review"] == "rejected"
    again = client.post(
        api("checkin-review", station_a, pk=flagged.pk),
        {"decision": "clear"},
        content_type="application/json",
    )
    assert again.status_code == 400
    assert login(patroller_a.user).get(api("checkin-list", station_a)).status_code == 403


def test_api_patrols_with_hours(login, officer_a, patroller_a, patrol_a, checkpoints, shift_a, station_a):
    t0 = shift_a.starts_at
    check_in(patroller_a, checkpoints[0], t0, now=t0)
    check_in(patroller_a, checkpoints[1], t0 + 30 * MINUTE, now=t0 + 30 * MINUTE)
    client = login(officer_a)
    rows = client.get(api("patrol-list", station_a)).json()["results"]
    assert [(r["volunteer_name"], r["hours"]) for r in rows] == [("Patroller A", 0.5)]
    detail = client.get(api("patrol-detail", station_a, pk=patrol_a.pk)).json()
    assert len(detail["check_ins"]) == 2
    board = client.get(api("patrol-board", station_a)).json()
    assert json.dumps(board)  # GeoJSON
    assert {f["properties"]["patrol"] for f in board["features"]} == {patrol_a.pk}


def test_schema_documents_the_patrol_endpoints(client):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = schema["paths"]
    assert "/api/s/{station}/check-ins/batch/" in paths
    assert "/api/s/{station}/patrols/board/" in paths
    assert datetime  # keep the import for readers of the fixtures


def test_api_refuses_half_a_location_and_oversized_batches(
    login, patroller_a, patrol_a, checkpoints, station_a
):
    client = login(patroller_a.user)
    one = {
        "client_id": str(uuid.uuid4()),
        "checkpoint": checkpoints[0].qr_token,
        "device_time": timezone.now().isoformat(),
        "lat": checkpoints[0].location.y,
    }
    assert (
        client.post(api("checkin-list", station_a), one, content_type="application/json").status_code == 400
    )
    many = {"check_ins": [{**one, "client_id": str(uuid.uuid4()), "lat": None} for _ in range(101)]}
    assert (
        client.post(api("checkin-batch", station_a), many, content_type="application/json").status_code == 400
    )
    with scopes_disabled():
        assert not CheckIn.objects.exists()
