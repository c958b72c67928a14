"""Attendance and results: the officer's (or the session's trainer's) one page for a whole
session, all or nothing, and the volunteer's QR check-in during the session.

The result follows the course's assessment: attendance only — present is passed; pass or fail —
the result given; a score — the score against the pass mark; a quiz — the quiz decides (the
session only records who came). Passing issues the certificate; being present awards training
points once per enrolment (``training-attended-<enrolment>``); attendance corrected from present
reverses them (a new ledger entry, once). A result corrected from passed to something else revokes
the certificate it had issued.
"""

import datetime
import math
from dataclasses import dataclass

from django.contrib.gis.geos import Point
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jointdefense.core.services import audit
from teams.models import Volunteer

from ..errors import (
    AttendanceError,
    CheckInOutsidePlace,
    CheckInOutsideTime,
    CheckInUnknown,
    EnrolmentError,
    NotATrainer,
    ScoreOutOfScale,
    SessionCancelled,
)
from ..models import Certificate, Course, Enrolment, TrainingSession
from .certificates import certificate_issue
from .common import Actor, attendance_points_settle, is_staff
from .compliance import compliance_changed
from .sessions import locked_session

A = Enrolment.Attendance
R = Enrolment.Result
# the QR check-in opens this long before the session starts (and closes at its end)
CHECKIN_OPENS_BEFORE = datetime.timedelta(minutes=30)


@dataclass(frozen=True)
class AttendanceRow:
    """One row of the attendance page: ``result`` is used by pass/fail courses, ``score`` by
    scored ones (None: not given)."""

    enrolment_id: int
    attendance: str
    result: str | None = None
    score: int | None = None


def derive_result(course: Course, attendance: str, result: str | None, score: int | None) -> str:
    if attendance != A.PRESENT:
        return R.PENDING
    if course.assessment == Course.Assessment.ATTENDANCE:
        return R.PASSED
    if course.assessment == Course.Assessment.PASS_FAIL:
        return result or R.PENDING
    if course.assessment == Course.Assessment.SCORE:
        if score is None:
            return R.PENDING
        return R.PASSED if course.pass_mark is not None and score >= course.pass_mark else R.FAILED
    return R.PENDING  # a quiz: the quiz decides


def _check_row(course: Course, row: AttendanceRow, enrolment: Enrolment | None) -> None:
    if enrolment is None:
        raise AttendanceError(
            _("A row of the page is not an enrolment of this session."), code="not_in_session"
        )
    name = enrolment.volunteer.full_name
    if enrolment.status != Enrolment.Status.ENROLLED:
        raise AttendanceError(
            _("%(name)s is not enrolled in this session (waiting or withdrawn).") % {"name": name},
            code="not_enrolled",
        )
    if row.attendance not in A.values:
        raise AttendanceError(_("Choose whether %(name)s was present.") % {"name": name}, field="attendance")
    if row.result is not None and row.result not in R.values:
        raise AttendanceError(_("Unknown result for %(name)s.") % {"name": name}, field="result")
    if row.result in (R.PASSED, R.FAILED) and row.attendance != A.PRESENT:
        raise AttendanceError(
            _("%(name)s was not present and cannot have a result.") % {"name": name}, field="result"
        )
    if row.score is not None:
        if course.assessment != Course.Assessment.SCORE:
            raise AttendanceError(
                _("“%(course)s” is not scored: leave %(name)s's score empty.")
                % {"course": course.name, "name": name},
                field="score",
            )
        if not 0 <= row.score <= course.max_score:
            raise ScoreOutOfScale(
                _("%(name)s's score %(score)s is outside the scale of 0 to %(max)s.")
                % {"name": name, "score": row.score, "max": course.max_score},
                field="score",
            )
        if row.attendance != A.PRESENT:
            raise AttendanceError(
                _("%(name)s was not present and cannot have a score.") % {"name": name}, field="score"
            )


def _settle(enrolment: Enrolment, course: Course, actor: Actor, was_passed: bool) -> None:
    """Certificates and points after an enrolment's attendance or result changed."""
    attendance_points_settle(
        enrolment.volunteer,
        f"training-attended-{enrolment.pk}",
        present=enrolment.attendance == A.PRESENT,
        reason=_("Training: %(course)s") % {"course": course.name},
        actor=actor,
    )
    if enrolment.result == R.PASSED:
        certificate_issue(
            volunteer=enrolment.volunteer,
            course=course,
            enrolment=enrolment,
            issued_at=enrolment.session.ends_at if enrolment.session.ends_at <= timezone.now() else None,
        )
    elif was_passed:
        for certificate in Certificate.objects.filter(
            tenant=enrolment.tenant_id, enrolment=enrolment, revoked_at__isnull=True
        ):
            certificate.revoked_at, certificate.revoked_by = timezone.now(), actor
            certificate.revoke_reason = str(_("The session's result was corrected."))
            certificate.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
            audit(tenant=enrolment.tenant, actor=actor, action="certificate.revoked", target=certificate)
            compliance_changed(tenant=enrolment.tenant, since=certificate.issued_at)


def may_record(actor: Actor, session: TrainingSession) -> bool:
    """The station's officers and chief, and the session's trainer."""
    return actor is not None and (is_staff(actor, session.tenant) or session.trainer_id == actor.pk)


@transaction.atomic
def attendance_record(
    *, session: TrainingSession, actor: Actor, rows: list[AttendanceRow]
) -> list[Enrolment]:
    """Record a whole session's attendance and results at once; one bad row refuses the page
    (naming the volunteer) and changes nothing."""
    session = locked_session(session)
    if not may_record(actor, session):
        raise NotATrainer(_("Only the station's officers and the session's trainer record its attendance."))
    if session.is_cancelled:
        raise SessionCancelled(_("This session is cancelled."))
    if session.starts_at > timezone.now():
        raise AttendanceError(_("Attendance is recorded once the session has started."), code="not_started")
    course = session.course
    by_id = {
        e.pk: e
        for e in Enrolment.objects.filter(
            tenant=session.tenant_id, session=session, pk__in=[r.enrolment_id for r in rows]
        ).select_related("volunteer", "volunteer__tenant", "session")
    }
    if len({r.enrolment_id for r in rows}) != len(rows):
        raise AttendanceError(_("A volunteer appears twice on the page."), code="duplicate_row")
    for row in rows:
        _check_row(course, row, by_id.get(row.enrolment_id))
    now = timezone.now()
    changed = []
    for row in rows:
        enrolment = by_id[row.enrolment_id]
        result = derive_result(course, row.attendance, row.result, row.score)
        score = row.score if row.attendance == A.PRESENT else None
        before = (enrolment.attendance, enrolment.result, enrolment.score)
        if before == (row.attendance, result, score):
            continue
        was_passed = enrolment.result == R.PASSED
        enrolment.attendance, enrolment.result, enrolment.score = row.attendance, result, score
        if row.attendance == A.PRESENT and not enrolment.checkin_method:
            enrolment.checkin_method, enrolment.checked_in_at = Enrolment.CheckInMethod.OFFICER, now
        enrolment.recorded_by, enrolment.recorded_at = actor, now
        enrolment.save(
            update_fields=[
                "attendance",
                "result",
                "score",
                "checkin_method",
                "checked_in_at",
                "recorded_by",
                "recorded_at",
            ]
        )
        _settle(enrolment, course, actor, was_passed)
        changed.append(enrolment)
    audit(
        tenant=session.tenant,
        actor=actor,
        action="session.attendance_recorded",
        target=session,
        rows=len(rows),
        changed=len(changed),
    )
    return [by_id[r.enrolment_id] for r in rows]


def distance_m(a: Point, b: Point) -> float:
    """Great-circle distance in metres between two WGS84 points."""
    lon1, lat1, lon2, lat2 = map(math.radians, (a.x, a.y, b.x, b.y))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(h))


@transaction.atomic
def attendance_qr_checkin(
    *, code: str, volunteer: Volunteer, location: Point | None = None, when: datetime.datetime | None = None
) -> Enrolment:
    """The volunteer scanned the session's QR code: present (method QR), from half an hour before
    the start to the end, at the place when the session has one on the map."""
    when = when or timezone.now()
    found = TrainingSession.objects.filter(tenant=volunteer.tenant_id, checkin_code=code or "").first()
    if found is None:
        raise CheckInUnknown(_("This QR code is not a training session of this station."))
    session = locked_session(found)
    if session.is_cancelled:
        raise SessionCancelled(_("This session is cancelled."))
    if not session.starts_at - CHECKIN_OPENS_BEFORE <= when <= session.ends_at:
        local = timezone.localtime(session.starts_at, session.tenant.zoneinfo)
        end = timezone.localtime(session.ends_at, session.tenant.zoneinfo)
        raise CheckInOutsideTime(
            _("Check-in for this session is open from half an hour before %(start)s until %(end)s.")
            % {"start": local.strftime("%Y-%m-%d %H:%M"), "end": end.strftime("%H:%M")}
        )
    if session.location is not None:
        if location is None:
            raise CheckInOutsidePlace(
                _(
                    "Allow the page to use your location: checking in needs to know that you are "
                    "at the session."
                )
            )
        away = distance_m(session.location, location)
        if away > session.checkin_radius_m:
            raise CheckInOutsidePlace(
                _("You are %(away)s m from the session's place; check in within %(radius)s m of it.")
                % {"away": int(away), "radius": session.checkin_radius_m}
            )
    enrolment = (
        Enrolment.objects.filter(tenant=session.tenant_id, session=session, volunteer=volunteer)
        .select_related("volunteer", "volunteer__tenant", "session")
        .first()
    )
    if enrolment is None or enrolment.status != Enrolment.Status.ENROLLED:
        if enrolment is not None and enrolment.status == Enrolment.Status.WAITING:
            raise EnrolmentError(
                _("You are on the waiting list of this session, not enrolled: ask the trainer."),
                code="not_enrolled",
            )
        raise EnrolmentError(_("You are not enrolled in this session: ask the trainer."), code="not_enrolled")
    if enrolment.attendance == A.PRESENT:
        return enrolment
    was_passed = enrolment.result == R.PASSED
    enrolment.attendance = A.PRESENT
    enrolment.checkin_method, enrolment.checked_in_at = Enrolment.CheckInMethod.QR, when
    enrolment.result = derive_result(session.course, A.PRESENT, None, None)
    enrolment.save(update_fields=["attendance", "checkin_method", "checked_in_at", "result"])
    audit(tenant=session.tenant, actor=volunteer.user, action="enrolment.checked_in", target=enrolment)
    _settle(enrolment, session.course, volunteer.user, was_passed)
    return enrolment
