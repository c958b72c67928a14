"""The incidents' sections of the weekly station summary (registered in ``IncidentsConfig.ready``):
each row frozen as JSON when the summary is built."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jointdefense.core.registry import SummaryColumn, SummarySection

from .selectors.summary import cases_past_deadline, visits_due_next_week


def _case_url(tenant, pk):
    return reverse("incidents:case", kwargs={"station": tenant.slug, "pk": pk})


def _name(user):
    return (user.full_name or user.username) if user else ""


def _late_case(report, tenant):
    return {
        "id": report.pk,
        "category": str(report.category),
        "community": str(report.community) if report.community_id else "",
        "officer": _name(report.assigned_officer),
        "due": report.late_since.isoformat(),
        "url": _case_url(tenant, report.pk),
    }


def _visit_due(visit, tenant):
    return {
        "id": visit.pk,
        "category": str(visit.report.category),
        "level": str(visit.get_level_display()),
        "visitor": _name(visit.assignee),
        "due": visit.due_at.isoformat(),
        "url": _case_url(tenant, visit.report_id),
    }


SECTIONS = (
    SummarySection(
        key="incidents.cases_past_deadline",
        title=_("Open cases past their deadline"),
        items=lambda stations, as_of: cases_past_deadline(stations=stations, as_of=as_of),
        row=_late_case,
        columns=(
            SummaryColumn("category", _("Category")),
            SummaryColumn("community", _("Community")),
            SummaryColumn("officer", _("Officer")),
            SummaryColumn("due", _("Return visit due"), "datetime"),
        ),
        empty=_("No open case is past its deadline."),
        order=10,
    ),
    SummarySection(
        key="incidents.visits_due",
        title=_("Return visits due in the coming week"),
        items=lambda stations, as_of: visits_due_next_week(stations=stations, as_of=as_of),
        row=_visit_due,
        columns=(
            SummaryColumn("category", _("Category")),
            SummaryColumn("level", _("Level")),
            SummaryColumn("visitor", _("Visitor")),
            SummaryColumn("due", _("Due"), "datetime"),
        ),
        empty=_("No return visit falls due in the coming week."),
        order=20,
    ),
)
