"""Writes of reward points: awards (from every app), corrections and the station's point rules.

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

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jointdefense.accounts.models import User
from jointdefense.core import rollups
from jointdefense.core.services import audit
from jointdefense.tenancy.models import Tenant

from ..errors import PointsError
from ..models import ContributionKind, PointEntry, PointRule, Volunteer
from ..selectors.points import balance
from ..selectors.rollups import AWARDED_BY_VOLUNTEER, POINTS

S = Volunteer.Status


def points_bump(entry: PointEntry) -> None:
    """Count a new ledger entry in the rollups (``selectors.rollups``), in its transaction (one
    statement): by kind, and an award by its volunteer."""
    bumps = [rollups.Bump(POINTS, entry.created_at, total=entry.points, dimension=entry.kind)]
    if entry.kind == PointEntry.Kind.AWARD:
        bumps.append(
            rollups.Bump(
                AWARDED_BY_VOLUNTEER, entry.created_at, total=entry.points, dimension=str(entry.volunteer_id)
            )
        )
    rollups.bump_all(entry.tenant, bumps)


def point_entry_insert(**fields: Any) -> tuple[PointEntry, bool]:
    """Insert a ledger entry unless its idempotency key exists. Concurrent callers with the same key
    wait on the unique index; the loser gets the winner's entry."""
    try:
        with transaction.atomic():
            entry = PointEntry.objects.create(**fields)
            points_bump(entry)
            return entry, True
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
    quantity: int | Decimal = 1,  # hours of a patrol are a decimal
    actor: User | None = None,
    reason: str = "",
    occurred_at: datetime | None = None,
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
    entry, created = point_entry_insert(
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
def points_reverse(*, entry: PointEntry, actor: User | None, reason: str) -> PointEntry:
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
    if entry.points > 0 and balance(volunteer=entry.volunteer) < entry.points:
        raise PointsError(
            _("The volunteer has spent these points already; the correction would leave a negative balance.")
        )
    reversal, created = point_entry_insert(
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


def _factor(value: object) -> Decimal:
    try:
        factor = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError, TypeError):
        factor = None
    if factor is None or not (Decimal(0) < factor <= Decimal(10)):
        raise PointsError(
            _("The difficulty factor must be more than 0 and at most 10."), field="difficulty_factor"
        )
    return factor


@transaction.atomic
def point_rule_update(
    *,
    rule: PointRule,
    actor: User | None,
    base_points: int,
    difficulty_factor: Decimal | str | float,
    is_active: bool,
) -> PointRule:
    """Change one of the station's point rules; audited when something changed. Awards made
    before keep their points (the ledger is never rewritten)."""
    factor = _factor(difficulty_factor)
    if base_points is None or int(base_points) < 1:
        raise PointsError(_("Base points must be at least 1."), field="base_points")
    rule = PointRule.objects.select_for_update().get(pk=rule.pk, tenant=rule.tenant_id)
    before = {
        "base_points": rule.base_points,
        "difficulty_factor": str(rule.difficulty_factor),
        "is_active": rule.is_active,
    }
    after: dict[str, Any] = {
        "base_points": int(base_points),
        "difficulty_factor": str(factor),
        "is_active": bool(is_active),
    }
    if before == after:
        return rule
    rule.base_points, rule.difficulty_factor, rule.is_active = (
        after["base_points"],
        factor,
        after["is_active"],
    )
    rule.full_clean()
    rule.save(update_fields=["base_points", "difficulty_factor", "is_active"])
    audit(
        tenant=rule.tenant,
        actor=actor,
        action="points.rule_changed",
        target=rule,
        kind=rule.kind,
        before=before,
        after=after,
    )
    return rule


@transaction.atomic
def point_rules_update(
    *, rules_and_values: list[tuple[PointRule, dict[str, Any]]], actor: User | None
) -> list[PointRule]:
    """Several rules at once, all or nothing: ``rules_and_values`` is a list of (rule, values)
    with the keyword arguments of ``point_rule_update``."""
    return [point_rule_update(rule=rule, actor=actor, **values) for rule, values in rules_and_values]
