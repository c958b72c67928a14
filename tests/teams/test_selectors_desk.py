"""The teams' desk section: applications an officer still has to decide, longest waiting first."""

import datetime

import pytest
from django.utils import timezone
from django_scopes import scope

from teams.models import Volunteer
from teams.selectors.desk import applications_to_screen
from tests.factories import VolunteerFactory, active_volunteer

pytestmark = pytest.mark.django_db


def test_applications_to_screen_applied_and_under_review_oldest_first(station_a, officer_a, station_b):
    newer = VolunteerFactory(tenant=station_a)
    older = VolunteerFactory(tenant=station_a)
    reviewing = VolunteerFactory(tenant=station_a)
    rejected = VolunteerFactory(tenant=station_a)
    active_volunteer(station_a, officer_a)  # screened: not waiting
    VolunteerFactory(tenant=station_b)  # another station's applicant
    now = timezone.now()
    with scope(tenant=station_a):
        Volunteer.objects.filter(pk=older.pk).update(applied_at=now - datetime.timedelta(days=9))
        Volunteer.objects.filter(pk=newer.pk).update(applied_at=now - datetime.timedelta(days=1))
        Volunteer.objects.filter(pk=reviewing.pk).update(
            status="under_review", applied_at=now - datetime.timedelta(days=3)
        )
        Volunteer.objects.filter(pk=rejected.pk).update(status="rejected")

        assert list(applications_to_screen(tenant=station_a)) == [older, reviewing, newer]
