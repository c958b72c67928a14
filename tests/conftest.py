"""The fixed cast of the suite: station A's chief, officer and volunteer, station B's officer, a
bureau viewer above both, and an anonymous resident. Every test that needs people uses these."""

import os

import pytest
import redis
from django.conf import settings
from django.test import Client
from django_scopes import scope, scopes_disabled

from jointdefense.tenancy.models import Role

from .factories import (
    BureauFactory,
    CommunityFactory,
    GridCellFactory,
    StationFactory,
    TeamFactory,
    active_volunteer,
    member,
    station_defaults,
)

# Playwright's sync API runs an event loop in the test thread; Django must still allow ORM calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _clean_redis():
    """Lockouts, heartbeats and queued tasks from one test must not leak into the next."""
    for url in (settings.REDIS_URL, settings.CELERY_BROKER_URL, settings.CACHES["default"]["LOCATION"]):
        redis.Redis.from_url(url).flushdb()
    yield


@pytest.fixture
def bureau(db):
    return BureauFactory(name="Jinshui Bureau", slug="jinshui")


@pytest.fixture
def station_a(bureau):
    return station_defaults(StationFactory(name="Station A", slug="station-a", parent=bureau))


@pytest.fixture
def station_b(bureau):
    return station_defaults(StationFactory(name="Station B", slug="station-b", parent=bureau))


@pytest.fixture
def community_a(station_a):
    with scopes_disabled():
        return CommunityFactory(tenant=station_a, slug="garden", name="Garden Community")


@pytest.fixture
def community_b(station_b):
    with scopes_disabled():
        return CommunityFactory(tenant=station_b, slug="river", name="River Community")


@pytest.fixture
def cell_a(community_a):
    with scopes_disabled():
        return GridCellFactory(community=community_a, code="GA-01")


@pytest.fixture
def cell_b(community_b):
    with scopes_disabled():
        return GridCellFactory(community=community_b, code="GB-01")


@pytest.fixture
def chief_a(station_a):
    return member(station_a, Role.CHIEF, username="chief_a", full_name="Chief A")


@pytest.fixture
def officer_a(station_a):
    return member(station_a, Role.OFFICER, username="officer_a", full_name="Officer A")


@pytest.fixture
def volunteer_a(station_a):
    return member(station_a, Role.VOLUNTEER, username="volunteer_a", full_name="Volunteer A")


@pytest.fixture
def officer_b(station_b):
    return member(station_b, Role.OFFICER, username="officer_b", full_name="Officer B")


@pytest.fixture
def chief_b(station_b):
    return member(station_b, Role.CHIEF, username="chief_b", full_name="Chief B")


@pytest.fixture
def bureau_viewer(bureau):
    return member(bureau, Role.BUREAU_VIEWER, username="viewer", full_name="Bureau Viewer")


@pytest.fixture
def anonymous():
    return Client()


@pytest.fixture
def login():
    """login(user) -> a Client logged in as that user."""

    def _login(user):
        client = Client()
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def in_scope():
    """in_scope(tenant): open the tenant scope, as the middleware does for a request."""
    return lambda tenant: scope(tenant=tenant.scope_tenants())


# ---- volunteers and teams ---------------------------------------------------------------------------


@pytest.fixture
def patroller_a(station_a, officer_a, community_a):
    """An active (screened) volunteer of station A with the patrol role, and an account."""
    from .factories import UserFactory

    user = UserFactory(username="patroller_a", full_name="Patroller A")
    return active_volunteer(
        station_a, officer_a, user=user, full_name="Patroller A", home_community=community_a
    )


@pytest.fixture
def patroller_b(station_b, officer_b, community_b):
    from .factories import UserFactory

    user = UserFactory(username="patroller_b", full_name="Patroller B")
    return active_volunteer(
        station_b, officer_b, user=user, full_name="Patroller B", home_community=community_b
    )


@pytest.fixture
def team_a(station_a, community_a):
    with scopes_disabled():
        return TeamFactory(tenant=station_a, name="Garden Patrol", home_community=community_a)


@pytest.fixture
def team_b(station_b, community_b):
    with scopes_disabled():
        return TeamFactory(tenant=station_b, name="River Patrol", home_community=community_b)


# ---- browser tests: Debian's Chromium driven by pytest-playwright, on a phone-sized screen -------------


@pytest.fixture(scope="session")
def browser_type_launch_args():
    # Playwright's own browser download cannot work here: use the distribution's Chromium
    return {
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        "viewport": {"width": 390, "height": 844},
        "is_mobile": True,
        "has_touch": True,
    }


@pytest.fixture
def monitor(settings):
    """A monitoring client: /healthz shows it the components' details (HEALTH_TOKEN)."""
    return Client(HTTP_AUTHORIZATION=f"Bearer {settings.HEALTH_TOKEN}")
