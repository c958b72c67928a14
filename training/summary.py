"""The training section of the weekly station summary (registered in ``TrainingConfig.ready``)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jointdefense.core.registry import SummaryColumn, SummarySection

from .selectors.summary import certificates_expiring


def _expiring(certificate, tenant):
    return {
        "id": certificate.pk,
        "holder": certificate.volunteer.full_name,
        "course": str(certificate.course),
        "expires": certificate.expires_at.isoformat(),
        "url": reverse(
            "training:volunteer-record", kwargs={"station": tenant.slug, "pk": certificate.volunteer_id}
        ),
    }


SECTIONS = (
    SummarySection(
        key="training.certificates_expiring",
        title=_("Certificates expiring in the next 30 days"),
        items=lambda stations, as_of: certificates_expiring(stations=stations, as_of=as_of),
        row=_expiring,
        columns=(
            SummaryColumn("holder", _("Holder")),
            SummaryColumn("course", _("Course")),
            SummaryColumn("expires", _("Expires"), "datetime"),
        ),
        empty=_("No certificate expires in the next 30 days."),
        order=40,
    ),
)
