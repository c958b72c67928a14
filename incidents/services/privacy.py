"""The reporter's contact: shown to an officer handling the case (every view logged), and erased a
station-set number of days after the case closed."""

from datetime import timedelta
from typing import Any

from django.db.models import DurationField, ExpressionWrapper, F, Q
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django_scopes import scopes_disabled

from ..models import ContactAccess, Report


def report_contact_for(*, report: Report, viewer: Any) -> dict[str, str] | None:
    """The reporter's contact, for an officer handling the case; every view is logged."""
    if report.anonymous or not report.has_contact:
        return None
    ContactAccess.objects.create(tenant_id=report.tenant_id, report=report, viewer=viewer)
    return {"name": report.contact_name, "phone": report.contact_phone, "email": report.contact_email}


# a case is over for its reporter in these states; a report joined to another (merged) is over when
# the report it follows is
FINISHED = [Report.Status.CLOSED, Report.Status.REJECTED]


def contacts_erase_expired() -> int:
    """Erase reporters' contacts a station-set number of days after their case closed; the report
    stays. A joined (merged) report's case is the report it follows: its contact goes that many days
    after that report closed (or after it was joined to it, if later). One UPDATE for every station;
    running it twice changes nothing more."""
    now = timezone.now()
    retention = ExpressionWrapper(
        F("tenant__contact_retention_days") * timedelta(days=1), output_field=DurationField()
    )
    finished = Q(status__in=FINISHED) | Q(status=Report.Status.MERGED, duplicate_of__status__in=FINISHED)
    with scopes_disabled():
        due = (
            Report.objects.filter(finished, contact_erased_at__isnull=True)
            .annotate(
                closed_at=Greatest(F("updated_at"), Coalesce(F("duplicate_of__updated_at"), F("updated_at")))
            )
            .annotate(keep_until=F("closed_at") + retention)
            .filter(keep_until__lt=now)
            .values("pk")
        )
        return Report.objects.filter(pk__in=due).update(
            contact_name="", contact_phone="", contact_email="", contact_erased_at=now
        )
