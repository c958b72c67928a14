"""Log in, log out, lockout after repeated failures, password reset, station switcher, language."""

import re

from django.core import mail
from django.urls import reverse

from jointdefense.core.services import email_send_once
from jointdefense.tenancy.models import Role
from tests.conftest import PASSWORD
from tests.factories import member
from tests.support import queued_messages

LOGIN = reverse("accounts:login")


def log_in(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


def test_login_with_one_station_lands_on_it(client, officer_a, station_a):
    response = log_in(client, "officer_a", PASSWORD)
    assert response.status_code == 302
    response = client.get(response.url)
    assert response.status_code == 302
    assert response.url == reverse("tenancy:home", kwargs={"station": "station-a"})


def test_wrong_password_says_so_and_stays_out(client, officer_a):
    response = log_in(client, "officer_a", "nope")
    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_wrong_password_message_is_translated(client, officer_a):
    client.cookies["django_language"] = "zh-hans"
    response = log_in(client, "officer_a", "nope")
    assert "请输入一个正确的" in response.content.decode()


def test_lockout_after_repeated_failures_even_with_right_password(client, officer_a, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "officer_a", "wrong")
    response = log_in(client, "officer_a", PASSWORD)
    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_username(client, officer_a, volunteer_a, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "officer_a", "wrong")
    assert log_in(client, "volunteer_a", PASSWORD).status_code == 302


def test_logout_needs_post_and_ends_the_session(login, officer_a):
    client = login(officer_a)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_password_reset_request_queues_one_email_after_commit(
    client, officer_a, django_capture_on_commit_callbacks
):
    """The request only queues; the worker sends (see test_celery_worker)."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("accounts:password_reset"), {"email": "officer_a@example.org"})
        assert response.status_code == 302
        assert queued_messages() == []  # nothing leaves before the transaction commits
    for callback in callbacks:
        callback()
    [(task, kwargs)] = queued_messages()
    assert task == "core.send_email"
    assert kwargs["to"] == ["officer_a@example.org"]
    assert "/accounts/reset/" in kwargs["body"]
    assert mail.outbox == []


def test_password_reset_key_holds_no_token_and_two_requests_send_two_emails(
    client, officer_a, django_capture_on_commit_callbacks
):
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("accounts:password_reset"), {"email": "officer_a@example.org"})
    first, second = [kwargs for _task, kwargs in queued_messages()]
    for kwargs in (first, second):
        link = re.search(r"/accounts/reset/([^/]+)/([^/]+)/", kwargs["body"])
        uid, token = link.groups()
        assert uid not in kwargs["key"] and token not in kwargs["key"]
        assert kwargs["key"].startswith(f"password-reset:{officer_a.pk}:")
        assert kwargs["limited"] is True  # anyone can ask for a reset to someone's address
    assert first["key"] != second["key"]
    for kwargs in (first, second, first):  # the first task delivered twice: still two e-mails
        email_send_once(**kwargs)
    assert len(mail.outbox) == 2


def test_password_reset_for_unknown_email_reveals_nothing(client, django_capture_on_commit_callbacks, db):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert response.url == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_station_switcher_lists_every_station(login, station_a, station_b):
    user = member(station_a, Role.OFFICER, username="two_stations")
    from tests.factories import MembershipFactory

    MembershipFactory(tenant=station_b, user=user, roles=[Role.OFFICER])
    client = login(user)
    assert client.get("/").url == reverse("stations")
    page = client.get(reverse("stations")).content.decode()
    assert "Station A" in page and "Station B" in page
    client.get(reverse("tenancy:home", kwargs={"station": "station-b"}))
    assert client.get("/").url == reverse("tenancy:home", kwargs={"station": "station-b"})


def test_language_switch_is_saved_for_the_user(login, officer_a, station_a):
    client = login(officer_a)
    home = reverse("tenancy:home", kwargs={"station": "station-a"})
    response = client.post(reverse("accounts:set_language"), {"language": "zh-hans", "next": home})
    assert response.status_code == 302
    officer_a.refresh_from_db()
    assert officer_a.language == "zh-hans"
    fresh = login(officer_a)  # another device: no cookie, the saved choice still applies
    page = fresh.get(home)
    assert page["Content-Language"] == "zh-hans"
    assert "社区" in page.content.decode()


def test_station_default_language_applies_until_someone_chooses(login, officer_a, station_a):
    station_a.default_language = "zh-hans"
    station_a.save()
    page = login(officer_a).get(reverse("tenancy:home", kwargs={"station": "station-a"}))
    assert page["Content-Language"] == "zh-hans"


def test_unknown_language_is_ignored(login, officer_a):
    client = login(officer_a)
    client.post(reverse("accounts:set_language"), {"language": "xx", "next": "/"})
    officer_a.refresh_from_db()
    assert officer_a.language == ""


def test_times_are_shown_in_the_station_time_zone(login, officer_a, station_a):
    from datetime import UTC, datetime

    from django_scopes import scopes_disabled

    from jointdefense.tenancy.models import Membership

    with scopes_disabled():
        Membership.objects.filter(user=officer_a).update(created_at=datetime(2026, 3, 1, 20, 30, tzinfo=UTC))
    page = (
        login(officer_a).get(reverse("tenancy:member-list", kwargs={"station": "station-a"})).content.decode()
    )
    assert "2026-03-02 04:30" in page  # Asia/Shanghai is UTC+8
    assert "Asia/Shanghai" in page
