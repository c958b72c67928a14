"""/healthz answers 503, naming the component, when one is down."""

from django.urls import reverse


def test_no_worker_is_503(client, db):
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    body = response.json()
    assert body["database"]["ok"] is True
    assert body["redis"]["ok"] is True
    assert body["workers"]["ok"] is False


def test_redis_down_is_503(client, db, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    body = response.json()
    assert body["redis"]["ok"] is False
    assert "Connection" in body["redis"]["error"]


def test_database_down_is_503(client, db):
    from django.db import connection

    real = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = "1"
    try:
        response = client.get(reverse("healthz"))
    finally:
        connection.close()
        connection.settings_dict["PORT"] = real
    assert response.status_code == 503
    assert response.json()["database"]["ok"] is False
