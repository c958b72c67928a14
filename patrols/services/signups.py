"""Writes of shift sign-ups: a volunteer signs up or withdraws, an officer assigns a volunteer or
a whole team, or takes someone off.

Each function is one atomic, audited action with keyword arguments and an explicit ``actor``.
Whether a volunteer may patrol at all is :func:`patrols.selectors.eligibility.patrol_refusal`,
called by every sign-up and assignment here; the rules of a shift (capacity, overlaps, the
withdrawal cut-off) live here. Each write bumps the shift's places filled (``patrols.places``,
``selectors.rollups``) by what it changed, in one statement, under the shift's row lock."""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jointdefense.core import rollups
from jointdefense.core.services import audit
from teams.models import Team, TeamMember, Volunteer

from ..errors import SignupError
from ..models import Shift, Signup
from ..selectors.eligibility import patrol_refusal
from ..selectors.rollups import places_bumps, shift_places
from ..selectors.signups import active_signups
from .planning import Actor, locked_shift


def withdrawal_cutoff() -> datetime.timedelta:
    """How long before a shift a volunteer may still withdraw (settings.PATROL_WITHDRAWAL_CUTOFF_HOURS)."""
    return datetime.timedelta(hours=getattr(settings, "PATROL_WITHDRAWAL_CUTOFF_HOURS", 12))


def _overlapping(shift: Shift, volunteer: Volunteer) -> Signup | None:
    return (
        Signup.objects.filter(
            tenant=shift.tenant_id,
            volunteer=volunteer,
            withdrawn_at__isnull=True,
            shift__is_cancelled=False,
            shift__starts_at__lt=shift.ends_at,
            shift__ends_at__gt=shift.starts_at,
        )
        .exclude(shift=shift)
        .select_related("shift", "shift__route")
        .first()
    )


def _refusal(
    shift: Shift, volunteer: Volunteer, *, check_capacity: bool, now: datetime.datetime
) -> SignupError | None:
    """Why ``volunteer`` may not go on ``shift`` (the shift row is locked by the caller)."""
    if volunteer.tenant_id != shift.tenant_id:
        return SignupError(_("This volunteer belongs to another station."), code="station")
    reason = patrol_refusal(volunteer)
    if reason:
        return SignupError(reason, code="may_not_patrol")
    if shift.is_cancelled:
        return SignupError(_("This shift is cancelled."), code="cancelled")
    if shift.ends_at <= now:
        return SignupError(_("This shift is over."), code="past")
    if Signup.objects.filter(
        tenant=shift.tenant_id, shift=shift, volunteer=volunteer, withdrawn_at__isnull=True
    ).exists():
        return SignupError(
            _("%(name)s is already on this shift.") % {"name": volunteer.full_name}, code="already"
        )
    if check_capacity and active_signups(shift) >= shift.headcount:
        return SignupError(_("This shift is full."), code="full")
    other = _overlapping(shift, volunteer)
    if other is not None:
        local = timezone.localtime(other.shift.starts_at)
        return SignupError(
            _("%(name)s is already on %(route)s at %(time)s, which overlaps this shift.")
            % {
                "name": volunteer.full_name,
                "route": other.shift.route.name,
                "time": local.strftime("%Y-%m-%d %H:%M"),
            },
            code="overlap",
        )
    return None


def _bump_places(shift: Shift, active_before: int, active_after: int) -> None:
    """Bump the change of the shift's places filled (the shift row is locked by the caller): none
    beyond its headcount, none on a cancelled shift."""
    headcount, cancelled = shift.headcount, shift.is_cancelled
    before = shift_places(headcount=headcount, active=active_before, is_cancelled=cancelled)
    after = shift_places(headcount=headcount, active=active_after, is_cancelled=cancelled)
    rollups.bump_all(
        shift.tenant, places_bumps(shift.starts_at, before, sign=-1) + places_bumps(shift.starts_at, after)
    )


def _put_on_shift(shift: Shift, volunteer: Volunteer, source: str, now: datetime.datetime) -> Signup:
    """Create the sign-up, or bring back a withdrawn one (the row is kept for the history)."""
    signup = Signup.objects.filter(tenant=shift.tenant_id, shift=shift, volunteer=volunteer).first()
    if signup is None:
        signup = Signup.objects.create(
            tenant_id=shift.tenant_id, shift=shift, volunteer=volunteer, source=source, created_at=now
        )
    else:
        signup.withdrawn_at, signup.source, signup.created_at = None, source, now
        signup.save(update_fields=["withdrawn_at", "source", "created_at"])
    return signup


@transaction.atomic
def shift_signup(*, shift: Shift, volunteer: Volunteer, actor: Actor = None) -> Signup:
    """A volunteer takes a place on a shift. The shift row is locked first, so two volunteers
    racing for the last place are served one after the other and the second finds it full."""
    now = timezone.now()
    shift = locked_shift(shift)
    if shift.starts_at <= now and not shift.is_cancelled and shift.ends_at > now:
        raise SignupError(_("This shift has started: ask the officer to add you."), code="started")
    error = _refusal(shift, volunteer, check_capacity=True, now=now)
    if error is not None:
        raise error
    active = active_signups(shift)
    signup = _put_on_shift(shift, volunteer, Signup.Source.SELF, now)
    _bump_places(shift, active, active + 1)
    audit(
        tenant=shift.tenant,
        actor=actor or volunteer.user,
        action="shift.signed_up",
        target=signup,
        shift=shift.pk,
        volunteer=volunteer.pk,
    )
    return signup


@transaction.atomic
def shift_withdraw(*, signup: Signup, actor: Actor, by_officer: bool = False) -> Signup:
    """Leave a shift. Volunteers may until the cut-off before it starts; an officer any time."""
    now = timezone.now()
    shift = locked_shift(signup.shift)
    signup = Signup.objects.select_for_update().get(pk=signup.pk, tenant=signup.tenant_id)
    if signup.withdrawn_at is not None:
        raise SignupError(_("This sign-up was already withdrawn."), code="withdrawn")
    if not by_officer:
        if shift.starts_at <= now:
            raise SignupError(
                _("The shift has started: tell the officer if you cannot come."), code="started"
            )
        cutoff = withdrawal_cutoff()
        if shift.starts_at - now < cutoff:
            raise SignupError(
                _(
                    "Withdrawals close %(hours)d hours before the shift: "
                    "tell the officer or your team leader if you cannot come."
                )
                % {"hours": int(cutoff.total_seconds() // 3600)},
                code="cutoff",
            )
    active = active_signups(shift)
    signup.withdrawn_at = now
    signup.save(update_fields=["withdrawn_at"])
    _bump_places(shift, active, active - 1)
    audit(
        tenant=shift.tenant,
        actor=actor,
        action="shift.removed" if by_officer else "shift.withdrawn",
        target=signup,
        shift=shift.pk,
        volunteer=signup.volunteer_id,
    )
    return signup


@transaction.atomic
def shift_assign(*, shift: Shift, volunteer: Volunteer, actor: Actor) -> Signup:
    """An officer puts a volunteer on a shift. The volunteer rules apply (may patrol, not on an
    overlapping shift); the headcount does not bind an officer, who may staff a shift above it."""
    now = timezone.now()
    shift = locked_shift(shift)
    error = _refusal(shift, volunteer, check_capacity=False, now=now)
    if error is not None:
        raise error
    active = active_signups(shift)
    signup = _put_on_shift(shift, volunteer, Signup.Source.OFFICER, now)
    _bump_places(shift, active, active + 1)
    audit(
        tenant=shift.tenant,
        actor=actor,
        action="shift.assigned",
        target=signup,
        shift=shift.pk,
        volunteer=volunteer.pk,
    )
    return signup


@transaction.atomic
def shift_assign_team(
    *, shift: Shift, team: Team, actor: Actor
) -> tuple[list[Signup], list[tuple[Volunteer, str]]]:
    """An officer puts every eligible member of ``team`` on a shift; the others are reported with
    the reason, never silently skipped. Returns (sign-ups, [(volunteer, reason)])."""
    now = timezone.now()
    if team.tenant_id != shift.tenant_id:
        raise SignupError(_("Choose a team of this station."), field="team")
    shift = locked_shift(shift)
    members = [
        m.volunteer
        for m in TeamMember.objects.filter(tenant=shift.tenant_id, team=team)
        .select_related("volunteer")
        .order_by("volunteer__full_name")
    ]
    if not members:
        raise SignupError(_("The team has no members yet."), field="team", code="empty")
    active = active_signups(shift)
    assigned, refused = [], []
    for volunteer in members:
        error = _refusal(shift, volunteer, check_capacity=False, now=now)
        if error is not None:
            refused.append((volunteer, str(error.message)))
            continue
        assigned.append(_put_on_shift(shift, volunteer, Signup.Source.TEAM, now))
    _bump_places(shift, active, active + len(assigned))  # each was not on the shift before
    if shift.team_id is None:
        shift.team = team
        shift.save(update_fields=["team"])
    audit(
        tenant=shift.tenant,
        actor=actor,
        action="shift.team_assigned",
        target=shift,
        team=team.pk,
        assigned=[s.volunteer_id for s in assigned],
        refused={str(v.pk): reason for v, reason in refused},
    )
    return assigned, refused
