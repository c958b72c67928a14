"""Reads of sessions: upcoming ones (with their free places), one session with its enrolled and
waiting lists, a volunteer's enrolments. Each a fixed number of queries."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from jointdefense.tenancy.models import Tenant
from teams.models import Volunteer

from ..models import Course, Enrolment, TrainingSession

E = Enrolment.Status


def sessions_with_counts(tenant: Tenant) -> QuerySet[TrainingSession]:
    """The station's sessions annotated ``enrolled_count`` and ``waiting_count``."""
    return (
        TrainingSession.objects.filter(tenant=tenant)
        .select_related("course", "trainer")
        .annotate(
            enrolled_count=Count("enrolments", filter=Q(enrolments__status=E.ENROLLED)),
            waiting_count=Count("enrolments", filter=Q(enrolments__status=E.WAITING)),
        )
    )


def upcoming_sessions(
    tenant: Tenant, *, course: Course | None = None, when: datetime.datetime | None = None
) -> QuerySet[TrainingSession]:
    """Sessions that have not ended and are not cancelled, soonest first (one query), with
    ``enrolled_count`` and ``waiting_count``; ``free_places`` = capacity − enrolled_count."""
    when = when or timezone.now()
    sessions = sessions_with_counts(tenant).filter(is_cancelled=False, ends_at__gt=when)
    if course is not None:
        sessions = sessions.filter(course=course)
    return sessions.order_by("starts_at", "pk")


@dataclass
class SessionDetail:
    session: TrainingSession
    enrolled: list[Enrolment]
    waiting: list[Enrolment]  # in the order they are served
    withdrawn: list[Enrolment]

    @property
    def free_places(self) -> int:
        return max(0, self.session.capacity - len(self.enrolled))

    @property
    def is_full(self) -> bool:
        return self.free_places == 0


def session_detail(session: TrainingSession) -> SessionDetail:
    """The session with its enrolled, waiting and withdrawn people (one query)."""
    enrolments = list(
        Enrolment.objects.filter(tenant=session.tenant_id, session=session)
        .select_related("volunteer", "volunteer__user")
        .order_by("requested_at", "pk")
    )
    enrolled = sorted((e for e in enrolments if e.status == E.ENROLLED), key=lambda e: e.volunteer.full_name)
    return SessionDetail(
        session=session,
        enrolled=enrolled,
        waiting=[e for e in enrolments if e.status == E.WAITING],
        withdrawn=[e for e in enrolments if e.status == E.WITHDRAWN],
    )


def waiting_positions(session: TrainingSession) -> dict[int, int]:
    """enrolment id -> place on the waiting list (1 is next), one query."""
    ids = (
        Enrolment.objects.filter(tenant=session.tenant_id, session=session, status=E.WAITING)
        .order_by("requested_at", "pk")
        .values_list("pk", flat=True)
    )
    return {pk: n for n, pk in enumerate(ids, start=1)}


def volunteer_enrolments(volunteer: Volunteer) -> list[Enrolment]:
    """The volunteer's enrolments (not withdrawn), newest session first, each with
    ``waiting_position`` (None unless waiting). Two queries."""
    enrolments = list(
        Enrolment.objects.filter(tenant=volunteer.tenant_id, volunteer=volunteer)
        .exclude(status=E.WITHDRAWN)
        .select_related("session", "session__course")
        .order_by("-session__starts_at", "pk")
    )
    waiting = [e for e in enrolments if e.status == E.WAITING]
    positions: dict[int, int] = {}
    if waiting:
        queue = (
            Enrolment.objects.filter(
                tenant=volunteer.tenant_id, session_id__in={e.session_id for e in waiting}, status=E.WAITING
            )
            .order_by("session_id", "requested_at", "pk")
            .values_list("pk", "session_id")
        )
        counter: dict[int, int] = {}
        for pk, session_id in queue:
            counter[session_id] = counter.get(session_id, 0) + 1
            positions[pk] = counter[session_id]
    for e in enrolments:
        e.waiting_position = positions.get(e.pk)  # type: ignore[attr-defined]
    return enrolments


# ---- the lists a viewer reads (pages and API) ---------------------------------------------------------


def course_list(*, tenant: Tenant, include_inactive: bool, with_includes: bool = False) -> QuerySet[Course]:
    """The station's courses by kind and name (``with_includes``: with the courses each includes,
    in one more query); retired ones only for those who manage courses (``include_inactive``)."""
    courses = Course.objects.filter(tenant=tenant)
    if with_includes:
        courses = courses.prefetch_related("includes")
    if not include_inactive:
        courses = courses.filter(is_active=True)
    return courses.order_by("kind", "name")


def session_list(*, tenant: Tenant) -> QuerySet[TrainingSession]:
    """The station's sessions in time order, each with its course and ``enrolled`` count."""
    return (
        TrainingSession.objects.filter(tenant=tenant)
        .select_related("course")
        .annotate(enrolled=Count("enrolments", filter=Q(enrolments__status=E.ENROLLED)))
        .order_by("starts_at", "pk")
    )


def enrolment_list(*, tenant: Tenant, volunteer: Volunteer | None, everyone: bool) -> QuerySet[Enrolment]:
    """Enrolments in the order they were asked for: everyone's (``everyone``: staff and bureau
    viewers), else the volunteer's own (none without a volunteer record)."""
    enrolments = (
        Enrolment.objects.filter(tenant=tenant).select_related("volunteer").order_by("requested_at", "pk")
    )
    if everyone:
        return enrolments
    return enrolments.filter(volunteer=volunteer) if volunteer else enrolments.none()
