"""Rate limits key on the real client: a forged X-Forwarded-For does not buy a fresh allowance, and
logged-in API users have a limit too."""

import pytest
from django.test import RequestFactory
from django.urls import reverse
from rest_framework.throttling import UserRateThrottle

from jointdefense.core.throttling import anonymous_submission_allowed


def test_a_new_forwarded_for_header_does_not_reset_the_anonymous_limit(settings, db):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "report_submit": "2/hour",
        },
    }
    factory = RequestFactory()
    allowed = [
        anonymous_submission_allowed(
            factory.post("/", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}"),
            "report_submit",
        )
        for n in range(4)
    ]
    assert allowed == [True, True, False, False]


def test_behind_a_trusted_proxy_the_limit_keys_on_the_client_it_names(settings, db):
    from rest_framework.settings import api_settings

    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "NUM_PROXIES": 1,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "report_submit": "1/hour",
        },
    }
    assert api_settings.NUM_PROXIES == 1
    factory = RequestFactory()

    def from_client(client, forged=""):
        header = f"{forged}, {client}" if forged else client
        request = factory.post("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=header)
        return anonymous_submission_allowed(request, "report_submit")

    assert from_client("198.51.100.1") is True
    assert from_client("198.51.100.2") is True  # another resident behind the same proxy
    # what a client writes in front of the proxy's entry is not believed
    assert from_client("198.51.100.1", forged="192.0.2.99") is False


@pytest.mark.django_db
def test_logged_in_api_users_are_limited_too(login, officer_a, station_a, monkeypatch):
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "3/minute"})
    client = login(officer_a)
    url = reverse("api:community-list", kwargs={"station": station_a.slug})
    codes = [client.get(url).status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]
