"""Certificates: issued when an enrolment is passed or a quiz attempt passes (idempotent: one per
enrolment or attempt, also from concurrent transactions), revoked with who and why."""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jointdefense.core.services import audit
from teams.models import Volunteer

from ..errors import CertificateError, NotInStation
from ..models import Certificate, Course, Enrolment, QuizAttempt
from .common import Actor, add_months
from .compliance import compliance_changed


def certificate_expiry(course: Course, issued_at: datetime.datetime) -> datetime.datetime | None:
    return add_months(issued_at, course.valid_months) if course.valid_months else None


@transaction.atomic
def certificate_issue(
    *,
    volunteer: Volunteer,
    course: Course,
    enrolment: Enrolment | None = None,
    quiz_attempt: QuizAttempt | None = None,
    issued_at: datetime.datetime | None = None,
) -> Certificate:
    """The certificate of a passed enrolment or quiz attempt (the existing one when it was issued
    already); valid for the course's ``valid_months`` from ``issued_at`` (or forever)."""
    if volunteer.tenant_id != course.tenant_id:
        raise NotInStation(_("The volunteer and the course belong to different stations."))
    source: dict[str, Enrolment | QuizAttempt] = {}
    if enrolment is not None:
        source["enrolment"] = enrolment
    if quiz_attempt is not None:
        source["quiz_attempt"] = quiz_attempt
    if source:
        existing = Certificate.objects.filter(tenant=course.tenant_id, **source).first()
        if existing is not None:
            return existing
    issued_at = issued_at or timezone.now()
    try:
        with transaction.atomic():
            certificate = Certificate.objects.create(
                tenant_id=course.tenant_id,
                course=course,
                volunteer=volunteer,
                issued_at=issued_at,
                expires_at=certificate_expiry(course, issued_at),
                **source,
            )
    except IntegrityError:
        existing = Certificate.objects.filter(tenant=course.tenant_id, **source).first() if source else None
        if existing is None:
            raise
        return existing
    audit(
        tenant=course.tenant,
        actor=None,
        action="certificate.issued",
        target=certificate,
        course=course.pk,
        volunteer=volunteer.pk,
    )
    # issued for a session that ended on an earlier day, it changes the days since
    compliance_changed(tenant=course.tenant, since=issued_at)
    return certificate


@transaction.atomic
def certificate_revoke(*, certificate: Certificate, actor: Actor, reason: str) -> Certificate:
    """Revoke a certificate, recording who and why; it no longer counts for any gate."""
    reason = (reason or "").strip()
    if not reason:
        raise CertificateError(_("Say why the certificate is revoked."), field="reason")
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk, tenant=certificate.tenant_id)
    if certificate.revoked_at is not None:
        raise CertificateError(_("This certificate is already revoked."), code="already_revoked")
    certificate.revoked_at = timezone.now()
    certificate.revoked_by = actor
    certificate.revoke_reason = reason
    certificate.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    audit(
        tenant=certificate.tenant,
        actor=actor,
        action="certificate.revoked",
        target=certificate,
        reason=reason,
    )
    # a revoked certificate counts as never held: every day since it was issued changes
    compliance_changed(tenant=certificate.tenant, since=certificate.issued_at)
    return certificate
