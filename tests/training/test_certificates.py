"""Certificates: expiry by calendar months, one per enrolment however often issued, revoking with
who and why, and verification by code within the station."""

import datetime

import pytest
from django_scopes import scope, scopes_disabled

from tests.factories import CourseFactory, TrainingSessionFactory, enrolled
from training import errors
from training.models import Certificate
from training.selectors.records import certificate_by_code
from training.services.certificates import certificate_issue, certificate_revoke

UTC = datetime.UTC


def test_expiry_counts_calendar_months_and_none_never_expires(station_a, people_a):
    with scopes_disabled():
        monthly = CourseFactory(tenant=station_a, valid_months=1)
        forever = CourseFactory(tenant=station_a, valid_months=None)
    issued = datetime.datetime(2028, 1, 31, 9, 0, tzinfo=UTC)
    with scope(tenant=station_a):
        assert certificate_issue(volunteer=people_a[0], course=monthly, issued_at=issued).expires_at == (
            datetime.datetime(2028, 2, 29, 9, 0, tzinfo=UTC)  # a leap year's February
        )
        assert certificate_issue(volunteer=people_a[0], course=forever, issued_at=issued).expires_at is None


def test_one_certificate_per_enrolment(station_a, course_a, people_a):
    with scopes_disabled():
        enrolment = enrolled(TrainingSessionFactory(course=course_a), people_a[0])
    with scope(tenant=station_a):
        first = certificate_issue(volunteer=people_a[0], course=course_a, enrolment=enrolment)
        again = certificate_issue(volunteer=people_a[0], course=course_a, enrolment=enrolment)
        assert first.pk == again.pk and Certificate.objects.count() == 1


def test_revoking_records_who_and_why_and_needs_a_reason(station_a, officer_a, course_a, people_a):
    with scope(tenant=station_a):
        certificate = certificate_issue(volunteer=people_a[0], course=course_a)
        with pytest.raises(errors.CertificateError, match="Say why"):
            certificate_revoke(certificate=certificate, actor=officer_a, reason="  ")
        assert Certificate.objects.get(pk=certificate.pk).is_valid
        revoked = certificate_revoke(certificate=certificate, actor=officer_a, reason="Exam copied")
        assert (revoked.revoked_by, revoked.revoke_reason, revoked.is_valid) == (
            officer_a,
            "Exam copied",
            False,
        )


def test_a_code_is_found_only_in_its_own_station(station_a, station_b, course_a, people_a):
    with scope(tenant=station_a):
        certificate = certificate_issue(volunteer=people_a[0], course=course_a)
        assert certificate_by_code(station_a, certificate.code) == certificate
        with pytest.raises(errors.CertificateNotFound, match="No certificate of this station has this code"):
            certificate_by_code(station_a, "unknown")
    with scope(tenant=station_b), pytest.raises(errors.CertificateNotFound):
        certificate_by_code(station_b, certificate.code)
