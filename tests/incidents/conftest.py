"""Fixtures of the incidents tests (the fixed cast is in tests/conftest.py, builders in
tests/factories.py)."""

import pytest
from django_scopes import scope

from incidents.models import Category
from incidents.services.reports import report_submit
from incidents.services.triage import report_assign, report_transition
from tests.factories import UserFactory, active_volunteer, report_form_data


@pytest.fixture
def form(station_a):
    return lambda **overrides: report_form_data(station_a, **overrides)


@pytest.fixture
def report(station_a, community_a):
    with scope(tenant=station_a):
        point = community_a.boundary.centroid
        return report_submit(
            tenant=station_a,
            category=Category.objects.get(tenant=station_a, slug="theft"),
            description="My e-bike battery was taken in the bike shed.",
            lat=point.y,
            lng=point.x,
            contact_name="Mr Zhao",
            contact_phone="13900002222",
        )


@pytest.fixture
def resolved(station_a, community_a, officer_a, chief_a, bureau_viewer):
    with scope(tenant=station_a):
        point = community_a.boundary.centroid
        report = report_submit(
            tenant=station_a,
            category=Category.objects.get(tenant=station_a, slug="dispute"),
            description="Water leaking from the flat above for weeks.",
            lat=point.y,
            lng=point.x,
        )
        report_assign(report=report, actor=officer_a, officer=officer_a)
        report_transition(report=report, actor=officer_a, to="resolved", public_text="Mediated.")
    return report


@pytest.fixture
def mediator_v(station_a, officer_a, community_a):
    """An active volunteer of station A classified for dispute mediation, with an account."""
    user = UserFactory(username="mediator_v", full_name="Mediator V")
    return active_volunteer(
        station_a,
        officer_a,
        user=user,
        full_name="Mediator V",
        roles=["mediation"],
        home_community=community_a,
    )


@pytest.fixture
def other_mediator(station_a, officer_a):
    user = UserFactory(username="mediator_w", full_name="Mediator W")
    return active_volunteer(station_a, officer_a, user=user, full_name="Mediator W", roles=["mediation"])
