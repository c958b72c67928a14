"""Writes of screening: the steps of an application (review started, background review recorded,
approved, rejected, activated, suspended, reinstated, retired) and the station's list of volunteer
backgrounds.

Each function is one atomic, audited action taking keyword arguments and an explicit ``actor``.
No volunteer is approved or active without a recorded background review (the 100% rule).
"""

from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from jointdefense.accounts.models import User
from jointdefense.core.registry import activation_checks
from jointdefense.core.services import audit, kept_counts_changed
from jointdefense.tenancy.models import Role, Tenant
from jointdefense.tenancy.services import membership_add_roles, membership_remove_roles

from ..errors import ScreeningError
from ..models import BackgroundGroup, BackgroundReview, ScreeningEvent, TeamMember, Volunteer
from ..selectors.rollups import screening_bump
from .volunteers import volunteer_locked

S = Volunteer.Status

# the screening flow: from → the statuses it may move to
TRANSITIONS: dict[str, set[str]] = {
    S.APPLIED: {S.UNDER_REVIEW, S.REJECTED},
    S.UNDER_REVIEW: {S.APPROVED, S.REJECTED},
    S.APPROVED: {S.ACTIVE, S.REJECTED},
    S.REJECTED: set(),
    S.ACTIVE: {S.SUSPENDED, S.RETIRED},
    S.SUSPENDED: {S.ACTIVE, S.RETIRED},
    S.RETIRED: set(),
}


def _move(
    volunteer: Volunteer, to: str, *, actor: User | None, note: str = "", fields: Iterable[str] = ()
) -> Volunteer:
    if to not in TRANSITIONS[volunteer.status]:
        raise ScreeningError(
            _("A volunteer who is “%(status)s” cannot become “%(to)s”.")
            % {"status": volunteer.get_status_display(), "to": S(to).label},
            code="transition",
        )
    if to in Volunteer.REVIEWED_STATUSES and volunteer.background_review_id is None:
        raise ScreeningError(
            _("Record a background review first: every volunteer is reviewed before approval."),
            code="no_review",
        )
    previous = volunteer.status
    volunteer.status = to
    volunteer.save(update_fields=["status", *fields])
    ScreeningEvent.objects.create(
        tenant_id=volunteer.tenant_id,
        volunteer=volunteer,
        actor=actor,
        from_status=previous,
        to_status=to,
        note=note,
    )
    audit(tenant=volunteer.tenant, actor=actor, action=f"volunteer.{to}", target=volunteer, note=note)
    if S.ACTIVE in (previous, to):
        kept_counts_changed(volunteer.tenant)  # who counts for training compliance
    return volunteer


@transaction.atomic
def volunteer_start_review(*, volunteer: Volunteer, actor: User | None) -> Volunteer:
    return _move(volunteer_locked(volunteer), S.UNDER_REVIEW, actor=actor)


@transaction.atomic
def background_review_record(
    *, volunteer: Volunteer, actor: User, result: str, reviewed_on: date, notes: str = ""
) -> BackgroundReview:
    """Record the officer's (``actor``) background review of an application being screened; a
    passed review is what its approval rests on."""
    volunteer = volunteer_locked(volunteer)
    if volunteer.status not in (S.APPLIED, S.UNDER_REVIEW):
        raise ScreeningError(
            _("Only an application being screened takes a background review."), code="transition"
        )
    if reviewed_on > timezone.localdate():
        raise ScreeningError(_("The date of the review cannot be in the future."), field="reviewed_on")
    if result not in BackgroundReview.Result.values:
        raise ScreeningError(_("Choose the result of the review."), field="result")
    review = BackgroundReview.objects.create(
        tenant_id=volunteer.tenant_id,
        volunteer=volunteer,
        officer=actor,
        result=result,
        notes=notes.strip(),
        reviewed_on=reviewed_on,
    )
    if (
        not BackgroundReview.objects.filter(tenant=volunteer.tenant_id, volunteer=volunteer)
        .exclude(pk=review.pk)
        .exists()
    ):  # the application's first review ends its screening time
        screening_bump(volunteer.tenant, volunteer.applied_at, review.recorded_at)
    volunteer.background_review = review if result == BackgroundReview.Result.PASSED else None
    volunteer.save(update_fields=["background_review"])
    if volunteer.status == S.APPLIED:
        _move(volunteer, S.UNDER_REVIEW, actor=actor)
    ScreeningEvent.objects.create(
        tenant_id=volunteer.tenant_id,
        volunteer=volunteer,
        actor=actor,
        from_status=volunteer.status,
        to_status=volunteer.status,
        note=_("Background review recorded: %(result)s") % {"result": review.get_result_display()},
    )
    audit(tenant=volunteer.tenant, actor=actor, action="volunteer.reviewed", target=volunteer, result=result)
    return review


@transaction.atomic
def volunteer_approve(*, volunteer: Volunteer, actor: User | None, note: str = "") -> Volunteer:
    return _move(volunteer_locked(volunteer), S.APPROVED, actor=actor, note=note)


@transaction.atomic
def volunteer_reject(*, volunteer: Volunteer, actor: User | None, reason: str) -> Volunteer:
    if not reason.strip():
        raise ScreeningError(_("Say why the application is rejected."), field="reason")
    volunteer = volunteer_locked(volunteer)
    volunteer.rejection_reason = reason.strip()
    return _move(volunteer, S.REJECTED, actor=actor, note=reason.strip(), fields=["rejection_reason"])


@transaction.atomic
def volunteer_activate(*, volunteer: Volunteer, actor: User | None, note: str = "") -> Volunteer:
    """Approved (or suspended) → active; the volunteer gets the volunteer role in the station.
    A first activation (from approved) also passes every registered activation check
    (``core.registry.activation_checks``: the training app requires the pre-job course)."""
    volunteer = volunteer_locked(volunteer)
    if volunteer.status == S.APPROVED:
        for check in activation_checks:
            reason = check.refusal(volunteer)
            if reason:
                raise ScreeningError(reason, code="activation_check")
    if volunteer.activated_at is None:
        volunteer.activated_at = timezone.now()
    _move(volunteer, S.ACTIVE, actor=actor, note=note, fields=["activated_at"])
    membership_add_roles(tenant=volunteer.tenant, user=volunteer.user, roles=[Role.VOLUNTEER], actor=actor)
    return volunteer


@transaction.atomic
def volunteer_reinstate(*, volunteer: Volunteer, actor: User | None, note: str = "") -> Volunteer:
    """Suspended → active again (only a suspended volunteer: an approved one is activated)."""
    if volunteer_locked(volunteer).status != S.SUSPENDED:
        raise ScreeningError(_("Only a suspended volunteer can be reinstated."), code="transition")
    return volunteer_activate(volunteer=volunteer, actor=actor, note=note)


@transaction.atomic
def volunteer_suspend(*, volunteer: Volunteer, actor: User | None, reason: str) -> Volunteer:
    if not reason.strip():
        raise ScreeningError(_("Say why the volunteer is suspended."), field="reason")
    volunteer = _move(volunteer_locked(volunteer), S.SUSPENDED, actor=actor, note=reason.strip())
    _drop_station_roles(volunteer, actor)
    return volunteer


@transaction.atomic
def volunteer_retire(*, volunteer: Volunteer, actor: User | None, note: str = "") -> Volunteer:
    volunteer = _move(volunteer_locked(volunteer), S.RETIRED, actor=actor, note=note)
    _drop_station_roles(volunteer, actor)
    TeamMember.objects.filter(tenant=volunteer.tenant_id, volunteer=volunteer).delete()
    return volunteer


def _drop_station_roles(volunteer: Volunteer, actor: User | None) -> None:
    membership_remove_roles(
        tenant=volunteer.tenant, user=volunteer.user, roles=[Role.VOLUNTEER, Role.TEAM_LEADER], actor=actor
    )


@transaction.atomic
def background_group_add(*, tenant: Tenant, actor: User | None, name: str) -> BackgroundGroup:
    name = name.strip()
    if not name:
        raise ScreeningError(_("Give the background a name."), field="name")
    if BackgroundGroup.objects.filter(tenant=tenant, name__iexact=name).exists():
        raise ScreeningError(_("This station already has this background."), field="name")
    base = slugify(name)[:30] or "group"
    slug, n = base, 1
    while BackgroundGroup.objects.filter(tenant=tenant, slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    last = BackgroundGroup.objects.filter(tenant=tenant).order_by("-position").first()
    group = BackgroundGroup.objects.create(
        tenant=tenant, name=name, slug=slug, position=(last.position + 1) if last else 0
    )
    audit(tenant=tenant, actor=actor, action="background_group.added", target=group)
    return group


@transaction.atomic
def background_groups_update(*, tenant: Tenant, actor: User | None, changes: list[BackgroundGroup]) -> None:
    """Save renamed, reordered or retired backgrounds (each validated, all or none)."""
    for group in changes:
        if group.tenant_id != tenant.pk:
            raise ScreeningError(_("A background belongs to another station."))
        group.full_clean()
        group.save(update_fields=["name", "position", "is_active"])
        audit(
            tenant=tenant,
            actor=actor,
            action="background_group.changed",
            target=group,
            name=group.name,
            active=group.is_active,
        )
