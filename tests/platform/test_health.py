"""/healthz answers 503, naming the component, when one is down."""

from django.urls import reverse


def test_no_worker_is_503(monitor, db):
    response = monitor.get(reverse("healthz"))
    assert response.status_code == 503
    body = response.json()
    assert body["database"]["ok"] is True
    assert body["redis"]["ok"] is True
    assert body["workers"]["ok"] is False


def test_redis_down_is_503(monitor, db, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    response = monitor.get(reverse("healthz"))
    assert response.status_code == 503
    body = response.json()
    assert body["redis"]["ok"] is False
    assert body["redis"]["error"] == "ConnectionError"  # the class only: no host or user


def test_database_down_is_503(monitor, db):
    from django.db import connection

    real = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = "1"
    try:
        response = monitor.get(reverse("healthz"))
    finally:
        connection.close()
        connection.settings_dict["PORT"] = real
    assert response.status_code == 503
    assert response.json()["database"]["ok"] is False


def test_anonymous_callers_get_the_status_only(client, db):
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}


def test_a_wrong_token_gets_the_status_only(client, db):
    response = client.get(reverse("healthz"), HTTP_AUTHORIZATION="Bearer guessed")
    assert response.json() == {"status": "unavailable"}


def test_platform_staff_see_the_details(client, db):
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="operator", is_staff=True))
    assert client.get(reverse("healthz")).json()["database"]["ok"] is True


def test_database_failure_does_not_show_its_message(monitor, db):
    from django.db import connection

    real = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = "1"
    try:
        body = monitor.get(reverse("healthz")).json()
    finally:
        connection.close()
        connection.settings_dict["PORT"] = real
    assert body["database"]["ok"] is False
    assert body["database"]["error"] in ("OperationalError", "InterfaceError")  # the class, no text
    assert "127.0.0.1" not in str(body) and "postgres" not in str(body)


def test_the_report_is_computed_once_within_the_cache_time(monitor, db, settings, monkeypatch):
    """Many calls in a row cost one round of checks (a query and a few Redis reads)."""
    from jointdefense.core import health

    runs = []
    monkeypatch.setattr(health, "_run_checks", lambda: runs.append(1) or (True, {"database": {"ok": True}}))
    monkeypatch.setattr(health, "_cached", None)
    settings.HEALTH_CACHE_SECONDS = 30
    for _ in range(20):
        assert monitor.get(reverse("healthz")).status_code == 200
    assert len(runs) == 1
    settings.HEALTH_CACHE_SECONDS = 0
    monitor.get(reverse("healthz"))
    assert len(runs) == 2
