"""Officers decide which of a report's photos the public may see (selectors.photos says who sees what)."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy

from jointdefense.core.services import audit

from ..errors import ReportError
from ..models import Report, ReportPhoto

NOT_THIS_REPORTS_PHOTO = gettext_lazy("That photo is not one of this report's.")


@transaction.atomic
def report_photo_set_public(*, report: Report, photo_id: Any, public: bool, actor: Any) -> ReportPhoto:
    """Show ``report``'s photo ``photo_id`` on public views (Open311's ``media_url``), or stop."""
    try:
        photo_id = int(photo_id)
    except (TypeError, ValueError):
        photo_id = None
    photo = (
        ReportPhoto.objects.select_for_update()
        .filter(tenant=report.tenant_id, report=report, pk=photo_id)
        .first()
    )
    if photo is None:
        raise ReportError(NOT_THIS_REPORTS_PHOTO, code="photo")
    if photo.public != public:
        photo.public = public
        photo.save(update_fields=["public"])
        audit(
            tenant=report.tenant,
            actor=actor,
            action="report.photo_public" if public else "report.photo_private",
            target=photo,
            report=report.pk,
        )
    return photo
