"""The kept count of training compliance (``models.ComplianceCount``): per station and local day,
the active volunteers and those of them holding every certificate they need, which the
dashboard's figure reads instead of joining every volunteer's certificates.

* ``compliance_counts_keep``: today's count again, and yesterday's closed at its end unless it
  is; beat runs it for every active station every 15 minutes (``training.compliance_counts``),
  and ``training.refresh_compliance_count`` after a write that changes who is compliant.
* ``compliance_changed``: called inside such a write (certificates, courses here; teams calls
  ``core.services.kept_counts_changed`` for volunteers and teams, which only queues), drops the
  counts of the days the write changes (today's; with a change of the past, the closed days
  since) and queues the refresh after the commit, once per transaction.
* ``compliance_counts_rebuild``: after a bulk import, a restore or a change of the station's time
  zone (``manage.py rebuild_rollups``, ``seed_demo``, the bench).

Each count is ``selectors.figures.compliance_counts`` (one statement) and one upsert
(``ComplianceCount.keep``): running any of these twice, or two beats at once, leaves one row a
day, never moved back in time.
"""

import datetime

from django.utils import timezone
from django_scopes import scope

from jointdefense.core.services import kept_counts_changed
from jointdefense.tenancy.models import Tenant

from ..models import ComplianceCount
from ..selectors.figures import ONE_DAY, compliance_counts, day_end


def compliance_count_record(
    *, tenant: Tenant, day: datetime.date | None = None, now: datetime.datetime | None = None
) -> tuple[int, int]:
    """Count the station's compliance of its local ``day`` (today by default) at the day's end,
    or now for today, and keep it. Returns (active volunteers, compliant)."""
    now = now or timezone.now()
    today = now.astimezone(tenant.zoneinfo).date()
    day = day or today
    if day > today:
        raise ValueError(f"{day} has not begun in {tenant.slug}")
    end = day_end(tenant, day)
    total, compliant = compliance_counts(tenant, min(end, now))
    ComplianceCount.keep(
        tenant_id=tenant.pk, day=day, total=total, compliant=compliant, computed_at=now, day_end=end
    )
    return total, compliant


def compliance_counts_keep(*, tenant: Tenant, now: datetime.datetime | None = None) -> int:
    """Close yesterday (the station's local day before ``now``) unless a count after its end
    closed it already, then count today again. Returns how many days were counted."""
    now = now or timezone.now()
    today = now.astimezone(tenant.zoneinfo).date()
    yesterday = today - ONE_DAY
    counted = 1
    if not ComplianceCount.objects.filter(
        tenant=tenant, day=yesterday, computed_at__gte=day_end(tenant, yesterday)
    ).exists():
        compliance_count_record(tenant=tenant, day=yesterday, now=now)
        counted += 1
    compliance_count_record(tenant=tenant, day=today, now=now)
    return counted


def compliance_counts_rebuild(tenant: Tenant, now: datetime.datetime | None = None) -> int:
    """Drop the station's kept counts and count yesterday and today again: after a bulk import, a
    restore or a change of the station's time zone any day may be wrong (or another day). The
    other past days are counted again, once each, when a figure first reads them (with the
    volunteers of that moment: a day's own are gone). Opens the station's scope itself, like
    ``core.rollups.rebuild``. Returns how many days were counted."""
    with scope(tenant=tenant):
        ComplianceCount.objects.filter(tenant=tenant).delete()
        return compliance_counts_keep(tenant=tenant, now=now)


def compliance_changed(*, tenant: Tenant, since: datetime.datetime | None = None) -> None:
    """Inside a write that changes who is compliant: today's count (and, with ``since``, those of
    the days from ``since``'s to yesterday: a certificate issued at an earlier date, or revoked,
    which the figure counts as never held) is dropped in the same transaction, so that a figure
    read after the commit counts it again, and today's is counted again after the commit
    (``core.services.kept_counts_changed``: through the outbox, once per transaction however many
    certificates the write issued), so that the next read is one row again."""
    today = timezone.now().astimezone(tenant.zoneinfo).date()
    first = min(today, since.astimezone(tenant.zoneinfo).date()) if since is not None else today
    ComplianceCount.objects.filter(tenant=tenant, day__gte=first).delete()
    kept_counts_changed(tenant)
