"""Writes of the teams app: applications and screening, classification, teams, reward points.

Each function is one atomic, audited action taking keyword arguments and an explicit ``actor``.

Awarding points from another app
--------------------------------
``points_award(tenant=, volunteer=, kind=, idempotency_key=, quantity=1, actor=None, reason="",
occurred_at=None)``
is the one way other apps award points. ``kind`` is a ``ContributionKind``; the points are the
station's rule for that kind (base points × difficulty factor × quantity). ``idempotency_key``
names the source, for example ``f"patrol:{patrol.pk}"`` or ``f"clue:{report.pk}"``: the same key
awards once, however often it is called, also from concurrent transactions or a retried task.
It returns ``(entry, created)``. ``occurred_at`` dates the entry when the contribution happened
earlier (a patrol synced late); leaderboards count it in that month. Call it inside the
transaction that records the source, or from a Celery task queued after it commits. A volunteer
who is not active earns nothing (PointsError).
"""

from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from jointdefense.core.services import audit
from jointdefense.tenancy.models import Role, Tenant
from jointdefense.tenancy.services import membership_add_roles, membership_remove_roles

from . import selectors
from .errors import PointsError, ScreeningError
from .models import (
    AVAILABILITY_SLOTS,
    DEFAULT_BACKGROUND_GROUPS,
    DEFAULT_POINT_RULES,
    BackgroundGroup,
    BackgroundReview,
    ContributionKind,
    PointEntry,
    PointRule,
    Redemption,
    Reward,
    ScreeningEvent,
    Team,
    TeamMember,
    Volunteer,
    VolunteerRole,
)

S = Volunteer.Status

# the screening flow: from → the statuses it may move to
TRANSITIONS = {
    S.APPLIED: {S.UNDER_REVIEW, S.REJECTED},
    S.UNDER_REVIEW: {S.APPROVED, S.REJECTED},
    S.APPROVED: {S.ACTIVE, S.REJECTED},
    S.REJECTED: set(),
    S.ACTIVE: {S.SUSPENDED, S.RETIRED},
    S.SUSPENDED: {S.ACTIVE, S.RETIRED},
    S.RETIRED: set(),
}


# ---- station set-up -----------------------------------------------------------------------------


def station_defaults_ensure(*, tenant: Tenant) -> None:
    """Give a station the background groups and point rules the field reports use (idempotent)."""
    from django.utils import translation

    for position, (slug, label) in enumerate(DEFAULT_BACKGROUND_GROUPS):
        with translation.override(tenant.default_language):
            BackgroundGroup.objects.get_or_create(
                tenant=tenant, slug=slug, defaults={"name": str(label), "position": position}
            )
    for kind, base, factor in DEFAULT_POINT_RULES:
        PointRule.objects.get_or_create(
            tenant=tenant, kind=kind, defaults={"base_points": base, "difficulty_factor": factor}
        )


# ---- applications and screening -----------------------------------------------------------------


@transaction.atomic
def volunteer_apply(
    *,
    tenant: Tenant,
    user,
    full_name: str,
    phone: str,
    id_number: str,
    home_community=None,
    background_group=None,
    specialties=(),
    availability=(),
    emergency_contact_name: str,
    emergency_contact_phone: str,
    consent: bool,
) -> Volunteer:
    if not consent:
        raise ScreeningError(_("Volunteering needs your consent to a background review."), field="consent")
    unknown = set(availability) - set(AVAILABILITY_SLOTS)
    if unknown:
        raise ScreeningError(
            _("Unknown availability: %(slots)s") % {"slots": ", ".join(sorted(unknown))}, field="availability"
        )
    if Volunteer.objects.filter(tenant=tenant, user=user).exists():
        raise ScreeningError(_("You have already applied to volunteer at this station."), code="duplicate")
    volunteer = Volunteer(
        tenant=tenant,
        user=user,
        full_name=full_name.strip(),
        phone=phone.strip(),
        id_number=id_number.strip().upper(),
        home_community=home_community,
        background_group=background_group,
        specialties=sorted(set(specialties)),
        availability=sorted(set(availability)),
        emergency_contact_name=emergency_contact_name.strip(),
        emergency_contact_phone=emergency_contact_phone.strip(),
        consented_to_review_at=timezone.now(),
        status=S.APPLIED,
    )
    volunteer.full_clean()
    volunteer.save()
    ScreeningEvent.objects.create(
        tenant=tenant, volunteer=volunteer, actor=user, from_status="", to_status=S.APPLIED
    )
    audit(tenant=tenant, actor=user, action="volunteer.applied", target=volunteer)
    return volunteer


def _locked(volunteer: Volunteer) -> Volunteer:
    return (
        Volunteer.objects.select_for_update(of=("self",))
        .select_related("tenant", "user")
        .get(pk=volunteer.pk, tenant=volunteer.tenant_id)
    )


def _move(volunteer: Volunteer, to: str, *, actor, note: str = "", fields=()) -> Volunteer:
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
    return volunteer


@transaction.atomic
def volunteer_start_review(*, volunteer: Volunteer, actor) -> Volunteer:
    return _move(_locked(volunteer), S.UNDER_REVIEW, actor=actor)


@transaction.atomic
def background_review_record(
    *, volunteer: Volunteer, actor, result: str, reviewed_on: date, notes: str = ""
) -> BackgroundReview:
    volunteer = _locked(volunteer)
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
def volunteer_approve(*, volunteer: Volunteer, actor, note: str = "") -> Volunteer:
    return _move(_locked(volunteer), S.APPROVED, actor=actor, note=note)


@transaction.atomic
def volunteer_reject(*, volunteer: Volunteer, actor, reason: str) -> Volunteer:
    if not reason.strip():
        raise ScreeningError(_("Say why the application is rejected."), field="reason")
    volunteer = _locked(volunteer)
    volunteer.rejection_reason = reason.strip()
    return _move(volunteer, S.REJECTED, actor=actor, note=reason.strip(), fields=["rejection_reason"])


@transaction.atomic
def volunteer_activate(*, volunteer: Volunteer, actor, note: str = "") -> Volunteer:
    """Approved (or suspended) → active; the volunteer gets the volunteer role in the station."""
    volunteer = _locked(volunteer)
    if volunteer.activated_at is None:
        volunteer.activated_at = timezone.now()
    _move(volunteer, S.ACTIVE, actor=actor, note=note, fields=["activated_at"])
    membership_add_roles(tenant=volunteer.tenant, user=volunteer.user, roles=[Role.VOLUNTEER], actor=actor)
    return volunteer


@transaction.atomic
def volunteer_suspend(*, volunteer: Volunteer, actor, reason: str) -> Volunteer:
    if not reason.strip():
        raise ScreeningError(_("Say why the volunteer is suspended."), field="reason")
    volunteer = _move(_locked(volunteer), S.SUSPENDED, actor=actor, note=reason.strip())
    _drop_station_roles(volunteer, actor)
    return volunteer


@transaction.atomic
def volunteer_retire(*, volunteer: Volunteer, actor, note: str = "") -> Volunteer:
    volunteer = _move(_locked(volunteer), S.RETIRED, actor=actor, note=note)
    _drop_station_roles(volunteer, actor)
    TeamMember.objects.filter(tenant=volunteer.tenant_id, volunteer=volunteer).delete()
    return volunteer


def _drop_station_roles(volunteer, actor):
    membership_remove_roles(
        tenant=volunteer.tenant, user=volunteer.user, roles=[Role.VOLUNTEER, Role.TEAM_LEADER], actor=actor
    )


@transaction.atomic
def volunteer_classify(*, volunteer: Volunteer, actor, roles: list[str]) -> Volunteer:
    unknown = set(roles) - set(VolunteerRole.values)
    if unknown:
        raise ScreeningError(
            _("Unknown roles: %(roles)s") % {"roles": ", ".join(sorted(unknown))}, field="roles"
        )
    volunteer = _locked(volunteer)
    volunteer.roles = sorted(set(roles))
    volunteer.save(update_fields=["roles"])
    audit(
        tenant=volunteer.tenant,
        actor=actor,
        action="volunteer.classified",
        target=volunteer,
        roles=volunteer.roles,
    )
    return volunteer


# ---- teams ----------------------------------------------------------------------------------------


@transaction.atomic
def team_save(*, team: Team, actor, grid_cells=None) -> Team:
    created = team.pk is None
    if team.home_community_id and team.home_community.tenant_id != team.tenant_id:
        raise ScreeningError(_("The community belongs to another station."), field="home_community")
    team.full_clean()
    team.save()
    if grid_cells is not None:
        if any(c.tenant_id != team.tenant_id for c in grid_cells):
            raise ScreeningError(_("A grid cell belongs to another station."), field="grid_cells")
        team.grid_cells.set(grid_cells, through_defaults={"tenant_id": team.tenant_id})
    audit(tenant=team.tenant, actor=actor, action="team.created" if created else "team.changed", target=team)
    return team


@transaction.atomic
def team_member_add(*, team: Team, volunteer: Volunteer, actor, is_leader: bool = False) -> TeamMember:
    if volunteer.tenant_id != team.tenant_id:
        raise ScreeningError(_("The volunteer belongs to another station."), field="volunteer")
    if volunteer.status != S.ACTIVE:
        raise ScreeningError(_("Only active volunteers join teams."), field="volunteer")
    member, created = TeamMember.objects.get_or_create(
        tenant_id=team.tenant_id, team=team, volunteer=volunteer, defaults={"is_leader": is_leader}
    )
    changed = created or member.is_leader != is_leader
    if not created and changed:
        member.is_leader = is_leader
        member.save(update_fields=["is_leader"])
    _sync_leader_role(volunteer, actor)
    if changed:
        audit(
            tenant=team.tenant,
            actor=actor,
            action="team.member_set",
            target=team,
            volunteer=volunteer.pk,
            leader=is_leader,
        )
    return member


@transaction.atomic
def team_member_remove(*, team: Team, volunteer: Volunteer, actor) -> None:
    TeamMember.objects.filter(tenant=team.tenant_id, team=team, volunteer=volunteer).delete()
    _sync_leader_role(volunteer, actor)
    audit(tenant=team.tenant, actor=actor, action="team.member_removed", target=team, volunteer=volunteer.pk)


def _sync_leader_role(volunteer, actor):
    leads = TeamMember.objects.filter(
        tenant=volunteer.tenant_id, volunteer=volunteer, is_leader=True
    ).exists()
    if leads:
        membership_add_roles(
            tenant=volunteer.tenant, user=volunteer.user, roles=[Role.TEAM_LEADER], actor=actor
        )
    else:
        membership_remove_roles(
            tenant=volunteer.tenant, user=volunteer.user, roles=[Role.TEAM_LEADER], actor=actor
        )


# ---- points ----------------------------------------------------------------------------------------


def _insert_entry(**fields) -> tuple[PointEntry, bool]:
    """Insert a ledger entry unless its idempotency key exists. Concurrent callers with the same key
    wait on the unique index; the loser gets the winner's entry."""
    try:
        with transaction.atomic():
            return PointEntry.objects.create(**fields), True
    except IntegrityError:
        existing = PointEntry.objects.filter(
            tenant=fields["tenant"], idempotency_key=fields["idempotency_key"]
        ).first()
        if existing is None:
            raise
        return existing, False


@transaction.atomic
def points_award(
    *,
    tenant: Tenant,
    volunteer: Volunteer,
    kind: str,
    idempotency_key: str,
    quantity=1,
    actor=None,
    reason: str = "",
    occurred_at=None,
) -> tuple[PointEntry, bool]:
    existing = PointEntry.objects.filter(tenant=tenant, idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing, False
    if volunteer.tenant_id != tenant.pk:
        raise PointsError(_("The volunteer belongs to another station."))
    if volunteer.status != S.ACTIVE:
        raise PointsError(_("Only active volunteers earn points."))
    rule = PointRule.objects.filter(tenant=tenant, kind=kind, is_active=True).first()
    if rule is None:
        raise PointsError(
            _("This station awards no points for “%(kind)s”.") % {"kind": ContributionKind(kind).label}
            if kind in ContributionKind.values
            else _("Unknown contribution."),
            field="kind",
        )
    points = rule.points_for(quantity)
    if points <= 0:
        raise PointsError(_("The award comes to no points."), field="quantity")
    entry, created = _insert_entry(
        tenant=tenant,
        volunteer=volunteer,
        kind=PointEntry.Kind.AWARD,
        contribution=kind,
        points=points,
        reason=reason[:255],
        idempotency_key=idempotency_key,
        actor=actor,
        created_at=occurred_at or timezone.now(),
    )
    if created:
        audit(
            tenant=tenant,
            actor=actor,
            action="points.awarded",
            target=entry,
            points=points,
            key=idempotency_key,
        )
    return entry, created


@transaction.atomic
def points_reverse(*, entry: PointEntry, actor, reason: str) -> PointEntry:
    """A correction: a new entry of the opposite sign. An entry is reversed at most once."""
    if not reason.strip():
        raise PointsError(_("Say why the entry is corrected."), field="reason")
    if entry.kind == PointEntry.Kind.REVERSAL:
        raise PointsError(_("A correction cannot itself be corrected; award again instead."))
    if entry.kind == PointEntry.Kind.REDEMPTION:
        raise PointsError(_("Refuse or cancel the redemption instead."))
    Volunteer.objects.select_for_update().get(pk=entry.volunteer_id)
    already = PointEntry.objects.filter(tenant=entry.tenant_id, reverses=entry).first()
    if already is not None:
        return already
    if entry.points > 0 and selectors.balance(volunteer=entry.volunteer) < entry.points:
        raise PointsError(
            _("The volunteer has spent these points already; the correction would leave a negative balance.")
        )
    reversal, created = _insert_entry(
        tenant=entry.tenant,
        volunteer=entry.volunteer,
        kind=PointEntry.Kind.REVERSAL,
        contribution=entry.contribution,
        points=-entry.points,
        reason=reason[:255],
        idempotency_key=f"reversal:{entry.pk}",
        reverses=entry,
        actor=actor,
    )
    if created:
        audit(tenant=entry.tenant, actor=actor, action="points.reversed", target=entry, reason=reason)
    return reversal


@transaction.atomic
def redemption_request(*, volunteer: Volunteer, reward: Reward, actor) -> Redemption:
    """Hold the points and one item of stock for the volunteer. Locks the volunteer (balance) and the
    reward (stock) rows, so concurrent requests can never overdraw either."""
    if reward.kind != Reward.Kind.ITEM or not reward.is_active:
        raise PointsError(_("This reward cannot be requested."), field="reward")
    volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk, tenant=reward.tenant_id)
    if volunteer.status != S.ACTIVE:
        raise PointsError(_("Only active volunteers redeem points."))
    reward = Reward.objects.select_for_update().get(pk=reward.pk, tenant=reward.tenant_id)
    if reward.stock < 1:
        raise PointsError(_("“%(reward)s” is out of stock.") % {"reward": reward.name}, field="reward")
    if selectors.balance(volunteer=volunteer) < reward.cost_points:
        raise PointsError(
            _("Not enough points: “%(reward)s” costs %(cost)d.")
            % {"reward": reward.name, "cost": reward.cost_points}
        )
    Reward.objects.filter(pk=reward.pk).update(stock=F("stock") - 1)
    redemption = Redemption.objects.create(
        tenant_id=reward.tenant_id, volunteer=volunteer, reward=reward, points=reward.cost_points
    )
    PointEntry.objects.create(
        tenant_id=reward.tenant_id,
        volunteer=volunteer,
        kind=PointEntry.Kind.REDEMPTION,
        points=-reward.cost_points,
        reason=reward.name[:255],
        redemption=redemption,
        idempotency_key=f"redemption:{redemption.pk}",
        actor=actor,
    )
    audit(tenant=volunteer.tenant, actor=actor, action="redemption.requested", target=redemption)
    return redemption


def _close_redemption(redemption: Redemption, status: str, *, actor, reason: str = "") -> Redemption:
    redemption = Redemption.objects.select_for_update().get(pk=redemption.pk, tenant=redemption.tenant_id)
    if redemption.status != Redemption.Status.REQUESTED:
        raise PointsError(_("This request was decided already."))
    redemption.status = status
    redemption.decided_by = actor
    redemption.decided_at = timezone.now()
    redemption.refusal_reason = reason
    redemption.save(update_fields=["status", "decided_by", "decided_at", "refusal_reason"])
    if status in (Redemption.Status.REFUSED, Redemption.Status.CANCELLED):
        held = PointEntry.objects.get(
            tenant=redemption.tenant_id, idempotency_key=f"redemption:{redemption.pk}"
        )
        _insert_entry(
            tenant=redemption.tenant,
            volunteer_id=redemption.volunteer_id,
            kind=PointEntry.Kind.REVERSAL,
            points=redemption.points,
            reverses=held,
            reason=(reason or redemption.get_status_display())[:255],
            redemption=redemption,
            idempotency_key=f"reversal:{held.pk}",
            actor=actor,
        )
        Reward.objects.filter(pk=redemption.reward_id).update(stock=F("stock") + 1)
    audit(
        tenant=redemption.tenant, actor=actor, action=f"redemption.{status}", target=redemption, reason=reason
    )
    return redemption


@transaction.atomic
def redemption_approve(*, redemption: Redemption, actor) -> Redemption:
    return _close_redemption(redemption, Redemption.Status.APPROVED, actor=actor)


@transaction.atomic
def redemption_refuse(*, redemption: Redemption, actor, reason: str) -> Redemption:
    if not reason.strip():
        raise PointsError(_("Say why the request is refused."), field="reason")
    return _close_redemption(redemption, Redemption.Status.REFUSED, actor=actor, reason=reason.strip())


@transaction.atomic
def redemption_cancel(*, redemption: Redemption, actor) -> Redemption:
    return _close_redemption(redemption, Redemption.Status.CANCELLED, actor=actor)


@transaction.atomic
def volunteer_import_queue(*, tenant: Tenant, actor, csv_text: str, total: int):
    """Hand a checked roster to the workers (teams.tasks.import_volunteers), after commit."""
    from .models import ImportJob
    from .tasks import import_volunteers

    job = ImportJob.objects.create(tenant=tenant, created_by=actor, csv_text=csv_text, total=total)
    audit(tenant=tenant, actor=actor, action="volunteer.import_queued", target=job, rows=total)
    import_volunteers.enqueue_on_commit(tenant_id=tenant.pk, job_id=job.pk)
    return job


@transaction.atomic
def background_group_add(*, tenant: Tenant, actor, name: str) -> BackgroundGroup:
    from django.utils.text import slugify

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
def background_groups_update(*, tenant: Tenant, actor, changes: list[BackgroundGroup]) -> None:
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
