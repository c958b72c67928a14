"""The teams app's dashboard figures (``core.registry.figures``, registered in ``apps.py``): one
aggregate query each over a station and period (``core.periods.Period``)."""

from django.db.models import Sum
from django.db.models.functions import Coalesce

from jointdefense.core.periods import Period
from jointdefense.tenancy.models import Tenant

from ..models import PointEntry, Volunteer


def active_volunteers(tenant: Tenant, period: Period) -> int:
    """Volunteers active now who were active by the end of the period."""
    return Volunteer.objects.filter(
        tenant=tenant, status=Volunteer.Status.ACTIVE, activated_at__lt=period.end
    ).count()


def new_applications(tenant: Tenant, period: Period) -> int:
    """People who applied in the period."""
    return Volunteer.objects.filter(
        tenant=tenant, applied_at__gte=period.start, applied_at__lt=period.end
    ).count()


def _points(tenant: Tenant, period: Period, kind: str) -> int:
    total: int = PointEntry.objects.filter(
        tenant=tenant, kind=kind, created_at__gte=period.start, created_at__lt=period.end
    ).aggregate(n=Coalesce(Sum("points"), 0))["n"]
    return total


def points_awarded(tenant: Tenant, period: Period) -> int:
    """Points awarded in the period (corrections not netted: they are their own entries)."""
    return _points(tenant, period, PointEntry.Kind.AWARD)


def points_redeemed(tenant: Tenant, period: Period) -> int:
    """Points spent on rewards in the period (redemptions are negative entries)."""
    return -_points(tenant, period, PointEntry.Kind.REDEMPTION)
