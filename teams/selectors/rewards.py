"""Reads of rewards: the catalogue on offer and the redemption requests."""

from django.db.models import QuerySet

from jointdefense.tenancy.models import Tenant

from ..models import Redemption, Reward


def reward_catalogue(*, tenant: Tenant) -> QuerySet[Reward]:
    """The rewards on offer."""
    return Reward.objects.filter(tenant=tenant, is_active=True).order_by(
        "kind", "cost_points", "threshold_points"
    )


def redemption_list(*, tenant: Tenant, status: str | None = None) -> QuerySet[Redemption]:
    qs = Redemption.objects.filter(tenant=tenant).select_related("volunteer", "reward", "decided_by")
    return qs.filter(status=status) if status else qs


def reward_list(*, tenant: Tenant) -> QuerySet[Reward]:
    """Every reward of the station, offered or not (for those who manage them)."""
    return Reward.objects.filter(tenant=tenant)


def redemption_pending_count(*, tenant: Tenant) -> int:
    return Redemption.objects.filter(tenant=tenant, status=Redemption.Status.REQUESTED).count()
