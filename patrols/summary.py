"""The patrols' section of the weekly station summary (registered in ``PatrolsConfig.ready``)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jointdefense.core.registry import SummaryColumn, SummarySection

from .selectors.summary import short_shifts_next_week


def _short_shift(shift, tenant):
    return {
        "id": shift.pk,
        "route": str(shift.route),
        "team": str(shift.team) if shift.team_id else "",
        "starts": shift.starts_at.isoformat(),
        "signed_up": shift.signed_up,
        "needed": shift.headcount,
        "url": reverse("patrols:shift-detail", kwargs={"station": tenant.slug, "pk": shift.pk}),
    }


SECTIONS = (
    SummarySection(
        key="patrols.short_shifts",
        title=_("Shifts short of people next week"),
        items=lambda stations, as_of: short_shifts_next_week(stations=stations, as_of=as_of),
        row=_short_shift,
        columns=(
            SummaryColumn("route", _("Route")),
            SummaryColumn("team", _("Team")),
            SummaryColumn("starts", _("Starts"), "datetime"),
            SummaryColumn("signed_up", _("Signed up"), "count"),
            SummaryColumn("needed", _("People needed"), "count"),
        ),
        empty=_("Every shift of next week has the people it needs."),
        order=30,
    ),
)
