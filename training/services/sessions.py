"""Sessions and enrolment: officers plan sessions (a place on the map, a place name or an online
link; a trainer; a capacity), volunteers enrol and withdraw, officers enrol a volunteer or a whole
team. Over capacity goes to the waiting list, served in the order people asked; a freed place goes
to the first waiting person, who is told by e-mail after the commit (through the outbox).

Every enrolment change locks the session's row first, so two volunteers taking the last place at
once are served one after the other: one gets it, the other waits.
"""

import datetime
from typing import Any

from django.contrib.gis.geos import Point
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jointdefense.core.services import audit
from jointdefense.tenancy.models import Tenant
from jointdefense.tenancy.roles import STAFF, roles_for
from teams.models import Team, TeamMember, Volunteer, VolunteerRole

from ..errors import (
    AlreadyEnrolled,
    EnrolmentError,
    NotATrainer,
    NotInStation,
    SessionCancelled,
    SessionError,
    SessionStarted,
    VolunteerInactive,
)
from ..models import Course, Enrolment, TrainingSession
from .common import ENROLLABLE, Actor, clean, email, link, queue_emails

E = Enrolment.Status
SESSION_FIELDS = (
    "starts_at",
    "ends_at",
    "capacity",
    "place_name",
    "location",
    "online_url",
    "trainer",
    "checkin_radius_m",
)


def locked_session(session: TrainingSession) -> TrainingSession:
    """The session's row, locked until the end of the transaction (enrolments queue up)."""
    return (
        TrainingSession.objects.select_for_update(of=("self",))
        .select_related("course", "tenant")
        .get(pk=session.pk, tenant=session.tenant_id)
    )


def _check_trainer(tenant: Tenant, trainer: Any) -> None:
    """A trainer is an officer or chief of the station, or an active volunteer of the station with
    the trainer role."""
    if trainer is None:
        return
    if roles_for(trainer, tenant) & STAFF:
        return
    if Volunteer.objects.filter(
        tenant=tenant, user=trainer, status=Volunteer.Status.ACTIVE, roles__contains=[VolunteerRole.TRAINER]
    ).exists():
        return
    raise NotATrainer(
        _("%(name)s is neither an officer of the station nor a volunteer with the trainer role.")
        % {"name": getattr(trainer, "full_name", "") or str(trainer)},
        field="trainer",
    )


def _check_session(session: TrainingSession) -> None:
    if session.starts_at is None or session.ends_at is None:
        raise SessionError(_("Give the session a start and an end."), field="starts_at")
    if session.ends_at <= session.starts_at:
        raise SessionError(_("The session must end after it starts."), field="ends_at")
    if session.location is not None and not isinstance(session.location, Point):
        raise SessionError(_("The place on the map is not a point."), field="location")
    if session.location is None and not session.online_url and not (session.place_name or "").strip():
        raise SessionError(
            _("Give the session a place on the map, a place name or an online link."), field="place_name"
        )
    clean(session, SessionError, exclude=["course", "trainer", "tenant"])


def _enrolled_count(session: TrainingSession) -> int:
    return Enrolment.objects.filter(tenant=session.tenant_id, session=session, status=E.ENROLLED).count()


@transaction.atomic
def session_create(
    *,
    tenant: Tenant,
    actor: Actor,
    course: Course,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    capacity: int,
    place_name: str = "",
    location: Point | None = None,
    online_url: str = "",
    trainer: Any = None,
) -> TrainingSession:
    if course.tenant_id != tenant.pk:
        raise NotInStation(_("The course belongs to another station."), field="course")
    if not course.is_active:
        raise SessionError(_("“%(course)s” is no longer offered.") % {"course": course.name}, field="course")
    if starts_at is not None and starts_at <= timezone.now():
        raise SessionError(_("A new session must start in the future."), field="starts_at")
    _check_trainer(tenant, trainer)
    session = TrainingSession(
        tenant=tenant,
        course=course,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        place_name=(place_name or "").strip(),
        location=location,
        online_url=(online_url or "").strip(),
        trainer=trainer,
    )
    _check_session(session)
    session.save()
    audit(tenant=tenant, actor=actor, action="session.created", target=session, course=course.pk)
    return session


@transaction.atomic
def session_update(*, session: TrainingSession, actor: Actor, **fields: Any) -> TrainingSession:
    """Change a session's time, place, trainer or capacity. A larger capacity gives the new places
    to the waiting list in order; a capacity below the number enrolled is refused."""
    unknown = set(fields) - set(SESSION_FIELDS)
    if unknown:
        raise SessionError(_("Unknown session fields: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    session = locked_session(session)
    if session.is_cancelled:
        raise SessionCancelled(_("This session is cancelled."))
    if "trainer" in fields:
        _check_trainer(session.tenant, fields["trainer"])
    changed = [name for name, value in fields.items() if getattr(session, name) != value]
    for name in changed:
        setattr(session, name, fields[name])
    if not changed:
        return session
    _check_session(session)
    enrolled = _enrolled_count(session)
    if session.capacity < enrolled:
        raise SessionError(
            _("%(n)s volunteers are enrolled: the session needs at least as many places.") % {"n": enrolled},
            field="capacity",
        )
    session.save(update_fields=changed)
    audit(
        tenant=session.tenant, actor=actor, action="session.changed", target=session, fields=sorted(changed)
    )
    _promote(session, free=session.capacity - enrolled)
    return session


@transaction.atomic
def session_cancel(*, session: TrainingSession, actor: Actor) -> TrainingSession:
    """Cancel a session; everyone enrolled or waiting is told by e-mail (after the commit)."""
    session = locked_session(session)
    if session.is_cancelled:
        return session
    if session.ends_at <= timezone.now():
        raise SessionError(_("This session is over and cannot be cancelled."))
    session.is_cancelled = True
    session.save(update_fields=["is_cancelled"])
    audit(tenant=session.tenant, actor=actor, action="session.cancelled", target=session)
    people = Enrolment.objects.filter(
        tenant=session.tenant_id, session=session, status__in=[E.ENROLLED, E.WAITING]
    ).select_related("volunteer", "volunteer__user")
    queue_emails(
        [
            email(
                f"training-cancelled:{session.pk}:{e.volunteer_id}",
                "cancelled",
                {
                    "session": session,
                    "volunteer": e.volunteer,
                    "link": link(session.tenant, "session-list", query=f"course={session.course_id}"),
                },
                e.volunteer.user,
                session.tenant,
            )
            for e in people
        ]
    )
    return session


def _refuse_enrolment(session: TrainingSession, volunteer: Volunteer, now: datetime.datetime) -> None:
    if volunteer.tenant_id != session.tenant_id:
        raise NotInStation(_("This session belongs to another station."))
    if session.is_cancelled:
        raise SessionCancelled(_("This session is cancelled."))
    if session.starts_at <= now:
        raise SessionStarted(
            _("This session has started: %(name)s can no longer enrol in it.") % {"name": volunteer.full_name}
        )
    if volunteer.status not in ENROLLABLE:
        raise VolunteerInactive(
            _("Only approved or active volunteers can enrol; %(name)s is %(status)s.")
            % {"name": volunteer.full_name, "status": volunteer.get_status_display().lower()}
        )


def _enrol(session: TrainingSession, volunteer: Volunteer, source: str, now: datetime.datetime) -> Enrolment:
    """Put the volunteer on the (locked) session: a place when one is free, else the waiting list.
    A withdrawn enrolment is brought back, at the back of the queue."""
    _refuse_enrolment(session, volunteer, now)
    enrolment = Enrolment.objects.filter(
        tenant=session.tenant_id, session=session, volunteer=volunteer
    ).first()
    if enrolment is not None and enrolment.status != E.WITHDRAWN:
        message = (
            _("%(name)s is already enrolled in this session.")
            if enrolment.status == E.ENROLLED
            else _("%(name)s is already on the waiting list of this session.")
        )
        raise AlreadyEnrolled(message % {"name": volunteer.full_name})
    status = E.ENROLLED if _enrolled_count(session) < session.capacity else E.WAITING
    if enrolment is None:
        enrolment = Enrolment.objects.create(
            tenant_id=session.tenant_id,
            session=session,
            volunteer=volunteer,
            status=status,
            source=source,
            requested_at=now,
            enrolled_at=now if status == E.ENROLLED else None,
        )
    else:
        enrolment.status, enrolment.source, enrolment.requested_at = status, source, now
        enrolment.enrolled_at = now if status == E.ENROLLED else None
        enrolment.withdrawn_at = None
        enrolment.save(update_fields=["status", "source", "requested_at", "enrolled_at", "withdrawn_at"])
    return enrolment


@transaction.atomic
def enrolment_request(
    *, session: TrainingSession, volunteer: Volunteer, actor: Actor, source: str = Enrolment.Source.SELF
) -> Enrolment:
    """Enrol a volunteer (themselves, or an officer for them): ENROLLED when a place is free,
    else WAITING. Refused twice, after the start, on a cancelled session, across stations, and for
    a volunteer who is neither approved nor active."""
    if source not in Enrolment.Source.values:
        raise EnrolmentError(_("Unknown way of enrolling."), field="source")
    session = locked_session(session)
    enrolment = _enrol(session, volunteer, source, timezone.now())
    audit(
        tenant=session.tenant,
        actor=actor or volunteer.user,
        action="enrolment.enrolled" if enrolment.status == E.ENROLLED else "enrolment.waiting",
        target=enrolment,
        session=session.pk,
        volunteer=volunteer.pk,
    )
    return enrolment


def waiting_position(enrolment: Enrolment) -> int | None:
    """1 for the first on the waiting list, … (None when not waiting)."""
    if enrolment.status != E.WAITING:
        return None
    ahead = Enrolment.objects.filter(
        tenant=enrolment.tenant_id,
        session=enrolment.session_id,
        status=E.WAITING,
        requested_at__lt=enrolment.requested_at,
    ).count()
    return ahead + 1


def _promote(session: TrainingSession, *, free: int) -> list[Enrolment]:
    """Give up to ``free`` places to the first waiting people (in the order they asked) and tell
    each of them after the commit. The session row is locked by the caller."""
    if free <= 0:
        return []
    now = timezone.now()
    promoted = list(
        Enrolment.objects.filter(
            tenant=session.tenant_id, session=session, status=E.WAITING, volunteer__status__in=ENROLLABLE
        )
        .select_related("volunteer", "volunteer__user")
        .order_by("requested_at", "pk")[:free]
    )
    for enrolment in promoted:
        enrolment.status, enrolment.enrolled_at = E.ENROLLED, now
        enrolment.save(update_fields=["status", "enrolled_at"])
        audit(
            tenant=session.tenant,
            actor=None,
            action="enrolment.promoted",
            target=enrolment,
            session=session.pk,
        )
    queue_emails(
        [
            email(
                f"training-promoted:{e.pk}:{now:%Y%m%d%H%M%S%f}",
                "promoted",
                {
                    "session": session,
                    "volunteer": e.volunteer,
                    "link": link(session.tenant, "session-detail", pk=session.pk),
                },
                e.volunteer.user,
                session.tenant,
            )
            for e in promoted
        ]
    )
    return promoted


@transaction.atomic
def enrolment_withdraw(*, enrolment: Enrolment, actor: Actor) -> Enrolment:
    """Leave a session (or its waiting list) before it starts; a freed place goes to the first
    waiting person, who is told."""
    session = locked_session(enrolment.session)
    enrolment = Enrolment.objects.select_related("volunteer").get(pk=enrolment.pk, tenant=session.tenant_id)
    if enrolment.status == E.WITHDRAWN:
        return enrolment
    if session.starts_at <= timezone.now() and not session.is_cancelled:
        raise SessionStarted(_("This session has started: it can no longer be left."))
    had_place = enrolment.status == E.ENROLLED
    enrolment.status, enrolment.withdrawn_at, enrolment.enrolled_at = E.WITHDRAWN, timezone.now(), None
    enrolment.save(update_fields=["status", "withdrawn_at", "enrolled_at"])
    audit(
        tenant=session.tenant,
        actor=actor or enrolment.volunteer.user,
        action="enrolment.withdrawn",
        target=enrolment,
        session=session.pk,
    )
    if had_place and not session.is_cancelled:
        _promote(session, free=session.capacity - _enrolled_count(session))
    return enrolment


@transaction.atomic
def team_enrol(*, session: TrainingSession, team: Team, actor: Actor) -> dict[str, int]:
    """Enrol every member of a team (places first, then the waiting list, in the members' order);
    members already on the session or not approved/active are skipped."""
    session = locked_session(session)
    if team.tenant_id != session.tenant_id:
        raise NotInStation(_("This team belongs to another station."), field="team")
    if session.is_cancelled:
        raise SessionCancelled(_("This session is cancelled."))
    now = timezone.now()
    if session.starts_at <= now:
        raise SessionStarted(_("This session has started: no one can enrol in it any more."))
    members = list(
        TeamMember.objects.filter(tenant=session.tenant_id, team=team)
        .select_related("volunteer")
        .order_by("volunteer__full_name", "pk")
    )
    on_it = set(
        Enrolment.objects.filter(tenant=session.tenant_id, session=session)
        .exclude(status=E.WITHDRAWN)
        .values_list("volunteer_id", flat=True)
    )
    counts = {"enrolled": 0, "waiting": 0, "skipped": 0}
    for member in members:
        volunteer = member.volunteer
        if volunteer.pk in on_it or volunteer.status not in ENROLLABLE:
            counts["skipped"] += 1
            continue
        enrolment = _enrol(session, volunteer, Enrolment.Source.TEAM, now)
        counts["enrolled" if enrolment.status == E.ENROLLED else "waiting"] += 1
    audit(
        tenant=session.tenant,
        actor=actor,
        action="session.team_enrolled",
        target=session,
        team=team.pk,
        **counts,
    )
    return counts
