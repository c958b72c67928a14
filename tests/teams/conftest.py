"""Fixtures of the teams tests (the shared cast is in tests/conftest.py)."""

import pytest
from django_scopes import scope

from tests.factories import VolunteerFactory


@pytest.fixture
def application(station_a, community_a):
    """An application at station A (status "applied")."""
    with scope(tenant=station_a):
        return VolunteerFactory(tenant=station_a, home_community=community_a, full_name="Applicant A")
