"""Writes of rewards: the station's reward catalogue (material rewards and honour titles) and the
volunteers' redemption requests, which hold the points and one item of stock until the chief decides.

Each function is one atomic, audited action with an explicit ``actor``. Invalid values raise
``PointsError`` (with the field) or Django's ``ValidationError`` from ``full_clean`` (the model's
constraints: a reward's fields must match its kind, a reward's name is unique in the station).
"""

from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from jointdefense.accounts.models import User
from jointdefense.core.services import audit
from jointdefense.tenancy.models import Tenant

from ..errors import PointsError
from ..models import PointEntry, Redemption, Reward, Volunteer
from ..selectors.points import balance
from .points import point_entry_insert, points_bump

S = Volunteer.Status
REWARD_FIELDS = ("kind", "name", "description", "cost_points", "stock", "threshold_points", "is_active")


def _reward_data(reward: Reward) -> dict[str, Any]:
    return {f: getattr(reward, f) for f in REWARD_FIELDS}


@transaction.atomic
def reward_create(
    *,
    tenant: Tenant,
    actor: User | None,
    kind: str,
    name: str,
    description: str = "",
    cost_points: int | None = None,
    stock: int | None = None,
    threshold_points: int | None = None,
    is_active: bool = True,
) -> Reward:
    reward = Reward(
        tenant=tenant,
        kind=kind,
        name=name.strip(),
        description=description.strip(),
        cost_points=cost_points,
        stock=stock,
        threshold_points=threshold_points,
        is_active=is_active,
    )
    reward.full_clean()
    reward.save()
    audit(tenant=tenant, actor=actor, action="reward.created", target=reward, **_reward_data(reward))
    return reward


@transaction.atomic
def reward_update(*, reward: Reward, actor: User | None, **values: Any) -> Reward:
    """Change a reward. Its kind stays: requests already made hold points against it."""
    unknown = set(values) - set(REWARD_FIELDS)
    if unknown:
        raise TypeError(f"unknown reward fields: {sorted(unknown)}")
    reward = Reward.objects.select_for_update().get(pk=reward.pk, tenant=reward.tenant_id)
    if "kind" in values and values["kind"] != reward.kind:
        raise PointsError(_("The kind of a reward cannot change; create a new reward instead."), field="kind")
    before = _reward_data(reward)
    for field, value in values.items():
        setattr(reward, field, value.strip() if isinstance(value, str) else value)
    after = _reward_data(reward)
    if before == after:
        return reward
    reward.full_clean()
    reward.save(update_fields=[f for f in REWARD_FIELDS if before[f] != after[f]])
    audit(
        tenant=reward.tenant,
        actor=actor,
        action="reward.changed",
        target=reward,
        changed={f: after[f] for f in REWARD_FIELDS if before[f] != after[f]},
    )
    return reward


# ---- redemptions -------------------------------------------------------------------------------


@transaction.atomic
def redemption_request(
    *, volunteer: Volunteer, reward: Reward, actor: User | None, requested_at: datetime | None = None
) -> Redemption:
    """Hold the points and one item of stock for the volunteer. Locks the volunteer (balance) and the
    reward (stock) rows, so concurrent requests can never overdraw either. ``requested_at`` dates a
    request made earlier (the demo's history; the ledger is append-only, so it is dated on writing)."""
    if reward.kind != Reward.Kind.ITEM or not reward.is_active:
        raise PointsError(_("This reward cannot be requested."), field="reward")
    volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk, tenant=reward.tenant_id)
    if volunteer.status != S.ACTIVE:
        raise PointsError(_("Only active volunteers redeem points."))
    reward = Reward.objects.select_for_update().get(pk=reward.pk, tenant=reward.tenant_id)
    # a material reward always has a cost and a stock (the model's check constraint)
    cost, stock = reward.cost_points or 0, reward.stock or 0
    if stock < 1:
        raise PointsError(_("“%(reward)s” is out of stock.") % {"reward": reward.name}, field="reward")
    if balance(volunteer=volunteer) < cost:
        raise PointsError(
            _("Not enough points: “%(reward)s” costs %(cost)d.") % {"reward": reward.name, "cost": cost}
        )
    Reward.objects.filter(pk=reward.pk).update(stock=F("stock") - 1)
    redemption = Redemption.objects.create(
        tenant_id=reward.tenant_id, volunteer=volunteer, reward=reward, points=cost
    )
    entry = PointEntry.objects.create(
        tenant_id=reward.tenant_id,
        volunteer=volunteer,
        kind=PointEntry.Kind.REDEMPTION,
        points=-cost,
        reason=reward.name[:255],
        redemption=redemption,
        idempotency_key=f"redemption:{redemption.pk}",
        actor=actor,
        created_at=requested_at or timezone.now(),
    )
    points_bump(entry)
    if requested_at is not None:  # requested_at is auto_now_add: dated with .update()
        Redemption.objects.filter(pk=redemption.pk).update(requested_at=requested_at)
        redemption.requested_at = requested_at
    audit(tenant=volunteer.tenant, actor=actor, action="redemption.requested", target=redemption)
    return redemption


def _close_redemption(
    redemption: Redemption, status: str, *, actor: User | None, reason: str = ""
) -> Redemption:
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
        point_entry_insert(
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
def redemption_approve(*, redemption: Redemption, actor: User | None) -> Redemption:
    return _close_redemption(redemption, Redemption.Status.APPROVED, actor=actor)


@transaction.atomic
def redemption_refuse(*, redemption: Redemption, actor: User | None, reason: str) -> Redemption:
    if not reason.strip():
        raise PointsError(_("Say why the request is refused."), field="reason")
    return _close_redemption(redemption, Redemption.Status.REFUSED, actor=actor, reason=reason.strip())


@transaction.atomic
def redemption_cancel(*, redemption: Redemption, actor: User | None) -> Redemption:
    return _close_redemption(redemption, Redemption.Status.CANCELLED, actor=actor)
