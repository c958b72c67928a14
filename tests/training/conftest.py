"""Fixtures of the training tests: a course of station A that the patrol role needs, a session of
it in three days with two places, and volunteers with accounts (the helpers are in
tests/factories.py: CourseFactory, TrainingSessionFactory, certificate_for, enrolled,
training_volunteer)."""

import pytest
from django_scopes import scopes_disabled

from tests.factories import CourseFactory, TrainingSessionFactory, training_volunteer


@pytest.fixture
def course_a(station_a):
    with scopes_disabled():
        return CourseFactory(tenant=station_a, name="Patrol basics", required_for_roles=["patrol"])


@pytest.fixture
def session_a(course_a):
    with scopes_disabled():
        return TrainingSessionFactory(course=course_a, capacity=2, place_name="Community hall")


@pytest.fixture
def people_a(station_a, officer_a):
    """Four active volunteers of station A with the patrol role: ann, ben, cai, dan."""
    return [training_volunteer(station_a, officer_a, name) for name in ("ann", "ben", "cai", "dan")]
