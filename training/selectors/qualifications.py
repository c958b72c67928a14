"""What a volunteer needs and holds: the one place the gates read.

* A course is **required** of a volunteer when it is offered (``is_active``) and one of its
  ``required_for_roles`` is among the volunteer's roles, or one of its ``required_for_team_types``
  is the type of an active team the volunteer is a member of. A course required of nobody is
  required of nobody (also a pre-job one).
* A course is **covered** when the volunteer holds a valid certificate of it, or of a course that
  includes it (transitively: "Patrol leader" includes "Patrol basics", which includes "Safety").
* ``training_refusal`` is the sentence the gates show: patrols' ``patrol_refusal`` (every
  required course) and the activation of a volunteer (``pre_job_only``: the required pre-job
  courses). It names the first missing course and its next session with a free place; the pages
  render the link to enrol from ``missing_courses`` and ``next_open_session``.
"""

import datetime
from collections.abc import Iterable

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from teams.models import TeamMember, Volunteer

from ..models import Certificate, Course, CourseInclusion, Enrolment, TrainingSession


def valid_certificates_q(when: datetime.datetime, prefix: str = "") -> Q:
    """Certificates valid at ``when`` (not revoked, issued, not expired)."""
    return Q(**{f"{prefix}revoked_at__isnull": True, f"{prefix}issued_at__lte": when}) & (
        Q(**{f"{prefix}expires_at__isnull": True}) | Q(**{f"{prefix}expires_at__gt": when})
    )


def inclusion_graph(tenant_id: int) -> dict[int, set[int]]:
    """course id -> the ids of the courses it includes directly (one query)."""
    graph: dict[int, set[int]] = {}
    for course_id, included_id in CourseInclusion.objects.filter(tenant=tenant_id).values_list(
        "course_id", "included_id"
    ):
        graph.setdefault(course_id, set()).add(included_id)
    return graph


def closure(course_ids: Iterable[int], graph: dict[int, set[int]]) -> set[int]:
    """``course_ids`` and everything they include, transitively."""
    seen: set[int] = set()
    todo = list(course_ids)
    while todo:
        course_id = todo.pop()
        if course_id in seen:
            continue
        seen.add(course_id)
        todo.extend(graph.get(course_id, ()))
    return seen


def covering_ids(course_id: int, graph: dict[int, set[int]]) -> set[int]:
    """The courses whose certificate counts for ``course_id``: itself and every course that
    includes it, transitively."""
    reverse: dict[int, set[int]] = {}
    for parent, children in graph.items():
        for child in children:
            reverse.setdefault(child, set()).add(parent)
    return closure([course_id], reverse)


def volunteer_team_types(volunteer: Volunteer) -> list[str]:
    return sorted(
        set(
            TeamMember.objects.filter(
                tenant=volunteer.tenant_id, volunteer=volunteer, team__is_active=True
            ).values_list("team__type", flat=True)
        )
    )


def required_courses_for(tenant_id: int, roles: list[str], team_types: list[str]) -> list[Course]:
    """The offered courses required of someone with ``roles`` in teams of ``team_types`` (one query)."""
    if not roles and not team_types:
        return []
    return list(
        Course.objects.filter(tenant=tenant_id, is_active=True)
        .filter(Q(required_for_roles__overlap=list(roles)) | Q(required_for_team_types__overlap=team_types))
        .order_by("kind", "name")
    )


def required_courses(volunteer: Volunteer) -> list[Course]:
    """The offered courses the volunteer's roles or teams need (pre-job first, then by name)."""
    return required_courses_for(volunteer.tenant_id, list(volunteer.roles), volunteer_team_types(volunteer))


def held_course_ids(volunteer: Volunteer, when: datetime.datetime | None = None) -> set[int]:
    """The courses of the volunteer's valid certificates (without inclusions)."""
    when = when or timezone.now()
    return set(
        Certificate.objects.filter(
            valid_certificates_q(when), tenant=volunteer.tenant_id, volunteer=volunteer
        )
        .values_list("course_id", flat=True)
        .distinct()
    )


def covered_course_ids(volunteer: Volunteer, when: datetime.datetime | None = None) -> set[int]:
    """Courses with a valid certificate, plus everything they include, transitively (one query,
    two when the volunteer holds something)."""
    held = held_course_ids(volunteer, when)
    if not held:
        return set()
    return closure(held, inclusion_graph(volunteer.tenant_id))


def missing_courses(volunteer: Volunteer, when: datetime.datetime | None = None) -> list[Course]:
    """The required courses the volunteer's valid certificates do not cover."""
    required = required_courses(volunteer)
    if not required:
        return []
    covered = covered_course_ids(volunteer, when)
    return [course for course in required if course.pk not in covered]


def open_sessions(tenant_id: int, when: datetime.datetime | None = None) -> QuerySet[TrainingSession]:
    """Sessions that have not started, not cancelled, with a free place, annotated ``taken``."""
    when = when or timezone.now()
    return (
        TrainingSession.objects.filter(tenant=tenant_id, is_cancelled=False, starts_at__gt=when)
        .annotate(
            taken=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.ENROLLED), distinct=True)
        )
        .filter(taken__lt=F("capacity"))
    )


def next_open_session(course: Course, when: datetime.datetime | None = None) -> TrainingSession | None:
    """The course's next session that has not started, is not cancelled and has a free place."""
    return (
        open_sessions(course.tenant_id, when)
        .filter(course=course)
        .select_related("course")
        .order_by("starts_at", "pk")
        .first()
    )


def next_open_sessions(
    courses: list[Course], when: datetime.datetime | None = None
) -> dict[int, TrainingSession]:
    """course id -> its next session that has not started, is not cancelled and has a free place
    (``next_open_session`` for many courses in one query; a course without one is left out)."""
    if not courses:
        return {}
    when = when or timezone.now()
    taken = (
        Enrolment.objects.filter(session=OuterRef("pk"), status=Enrolment.Status.ENROLLED)
        .order_by()
        .values("session")
        .annotate(n=Count("pk"))
        .values("n")
    )
    sessions = (
        TrainingSession.objects.filter(
            tenant=courses[0].tenant_id,
            course__in=[course.pk for course in courses],
            is_cancelled=False,
            starts_at__gt=when,
        )
        .annotate(taken=Coalesce(Subquery(taken), 0))
        .filter(taken__lt=F("capacity"))
        .select_related("course")
        .order_by("course_id", "starts_at", "pk")
        .distinct("course_id")
    )
    return {session.course_id: session for session in sessions}


def session_place(session: TrainingSession) -> str:
    if session.place_name:
        return session.place_name
    if session.online_url:
        return str(_("online"))
    return str(_("the place on the map"))


def session_when(session: TrainingSession, tenant_zone: datetime.tzinfo | None = None) -> str:
    local = timezone.localtime(session.starts_at, tenant_zone)
    return local.strftime("%Y-%m-%d %H:%M")


def refusal_sentence(volunteer: Volunteer, course: Course, session: TrainingSession | None) -> str:
    """“… needs a valid certificate of “X”; the next session with a free place is on … at ….”"""
    if session is None:
        return _(
            "%(name)s needs a valid certificate of “%(course)s”; no session of it with a free place "
            "is planned yet: ask the station's officers."
        ) % {"name": volunteer.full_name, "course": course.name}
    return _(
        "%(name)s needs a valid certificate of “%(course)s”; the next session with a free place is "
        "on %(date)s at %(place)s."
    ) % {
        "name": volunteer.full_name,
        "course": course.name,
        "date": session_when(session, volunteer.tenant.zoneinfo),
        "place": session_place(session),
    }


def training_refusal_session(volunteer: Volunteer, *, pre_job_only: bool = False) -> TrainingSession | None:
    """The session ``training_refusal`` names (the next one with a free place of the first missing
    course), for the link to enrol that goes with the refusal; None when nothing is missing or no
    session has a place."""
    missing = missing_courses(volunteer)
    if pre_job_only:
        missing = [course for course in missing if course.kind == Course.Kind.PRE_JOB]
    return next_open_session(missing[0]) if missing else None


def training_refusal(volunteer: Volunteer, *, pre_job_only: bool = False) -> str | None:
    """Why the volunteer's training does not let them on duty (or be activated, ``pre_job_only``),
    as a translated sentence, or None. Names the first missing course (pre-job first) and its next
    session with a free place. At most four queries."""
    missing = missing_courses(volunteer)
    if pre_job_only:
        missing = [course for course in missing if course.kind == Course.Kind.PRE_JOB]
    if not missing:
        return None
    course = missing[0]
    return refusal_sentence(volunteer, course, next_open_session(course))
