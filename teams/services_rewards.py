"""Writes of the points set-up: a station's point rules and its reward catalogue.

Each function is one atomic, audited action with an explicit ``actor``. Invalid values raise
``PointsError`` (with the field) or Django's ``ValidationError`` from ``full_clean`` (the model's
constraints: a reward's fields must match its kind, a reward's name is unique in the station).
"""

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from jointdefense.core.services import audit

from .errors import PointsError
from .models import PointRule, Reward

REWARD_FIELDS = ("kind", "name", "description", "cost_points", "stock", "threshold_points", "is_active")


def _factor(value) -> Decimal:
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
    *, rule: PointRule, actor, base_points: int, difficulty_factor, is_active: bool
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
    after = {"base_points": int(base_points), "difficulty_factor": str(factor), "is_active": bool(is_active)}
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
def point_rules_update(*, rules_and_values, actor) -> list[PointRule]:
    """Several rules at once, all or nothing: ``rules_and_values`` is a list of (rule, values)
    with the keyword arguments of ``point_rule_update``."""
    return [point_rule_update(rule=rule, actor=actor, **values) for rule, values in rules_and_values]


def _reward_data(reward: Reward) -> dict:
    return {f: getattr(reward, f) for f in REWARD_FIELDS}


@transaction.atomic
def reward_create(
    *,
    tenant,
    actor,
    kind: str,
    name: str,
    description: str = "",
    cost_points=None,
    stock=None,
    threshold_points=None,
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
def reward_update(*, reward: Reward, actor, **values) -> Reward:
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
