"""The training section of the weekly summary: certificates valid at the week's end that expire
within 30 days of it, not renewed, of volunteers still approved or active; the soonest first."""

import datetime
import json

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from teams.models import Volunteer
from tests.factories import certificate_made, course_made, training_volunteer
from training.selectors.summary import certificates_expiring
from training.summary import SECTIONS

pytestmark = pytest.mark.django_db

AS_OF = timezone.now().replace(microsecond=0) - datetime.timedelta(days=1)
DAY = datetime.timedelta(days=1)
ISSUED = AS_OF - 300 * DAY


def test_certificates_expiring_in_the_30_days_after_the_week(station_a, officer_a, station_b, officer_b):
    course = course_made(station_a, "Patrol basics")
    other_course = course_made(station_a, "First aid")
    ann, ben, cai, dan = (training_volunteer(station_a, officer_a, n) for n in ("ann", "ben", "cai", "dan"))
    soon = certificate_made(ann, course, issued_at=ISSUED, expires_at=AS_OF + DAY)
    last = certificate_made(ben, course, issued_at=ISSUED, expires_at=AS_OF + 30 * DAY)  # the 30th day: in
    certificate_made(ben, other_course, issued_at=ISSUED, expires_at=AS_OF + 30 * DAY + DAY)  # after: out
    certificate_made(ann, other_course, issued_at=ISSUED, expires_at=AS_OF)  # expired at the end: out
    certificate_made(
        cai,
        course,
        issued_at=ISSUED,
        expires_at=AS_OF + 5 * DAY,
        revoked_at=AS_OF - DAY,
        revoke_reason="Lent to a friend",
    )
    # Dan renewed: the newer certificate of the course outlasts the old one
    certificate_made(dan, course, issued_at=ISSUED, expires_at=AS_OF + 3 * DAY)
    certificate_made(dan, course, issued_at=AS_OF - DAY, expires_at=AS_OF + 365 * DAY)
    # a suspended volunteer's certificate is left out
    suspended = training_volunteer(station_a, officer_a, "eve")
    certificate_made(suspended, course, issued_at=ISSUED, expires_at=AS_OF + 2 * DAY)
    with scopes_disabled():
        Volunteer.objects.filter(pk=suspended.pk).update(status=Volunteer.Status.SUSPENDED)
    # another station's
    fay = training_volunteer(station_b, officer_b, "fay")
    certificate_made(fay, course_made(station_b, "Patrol basics"), issued_at=ISSUED, expires_at=AS_OF + DAY)
    with scope(tenant=station_a):
        rows = list(certificates_expiring(stations=[station_a], as_of=AS_OF))
        assert rows == [soon, last]
        row = json.loads(json.dumps(SECTIONS[0].row(rows[0], station_a)))
    assert (row["holder"], row["course"]) == ("Ann", "Patrol basics")
    assert row["url"] == f"/s/{station_a.slug}/training/records/{ann.pk}/"
