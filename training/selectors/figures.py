"""The training app's dashboard figure (``core.registry.figures``, registered in ``apps.py``)."""

from decimal import Decimal

from django.utils import timezone

from jointdefense.core.periods import Period
from jointdefense.tenancy.models import Tenant

from .records import compliance


def compliance_share(tenant: Tenant, period: Period) -> Decimal | None:
    """The share (percent) of today's active volunteers whose required certificates were all
    valid at the end of the period (or now, for a period not over yet): ``records.compliance``,
    four queries whatever the number of volunteers."""
    share = compliance(tenant, when=min(period.end, timezone.now())).share
    return None if share is None else Decimal(str(round(share * 100, 4)))
