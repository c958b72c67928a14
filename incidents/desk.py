"""The incidents' sections of the officer's desk (registered in ``IncidentsConfig.ready``)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jointdefense.core.registry import DeskEntry, DeskSection

from .selectors.desk import my_open_cases, my_visits_due, reports_to_triage


def _case_url(tenant, pk):
    return reverse("incidents:case", kwargs={"station": tenant.slug, "pk": pk})


def _triage_url(tenant, query=""):
    return reverse("incidents:triage", kwargs={"station": tenant.slug}) + query


def _report_entry(report, tenant, urgent=False):
    return DeskEntry(
        id=report.pk,
        label=str(report.category),
        detail=report.description[:120],
        url=_case_url(tenant, report.pk),
        when=report.created_at,
        urgent=urgent,
    )


def _visit_entry(visit, tenant):
    return DeskEntry(
        id=visit.pk,
        label=str(visit.report.category),
        detail=str(visit.get_level_display()),
        url=_case_url(tenant, visit.report_id),
        when=visit.due_at,
        urgent=visit.overdue,
    )


SECTIONS = (
    DeskSection(
        key="my-cases",
        title=_("My open cases"),
        permission="report.triage",
        items=lambda tenant, user: my_open_cases(tenant=tenant, user=user),
        template="incidents/desk/_case.html",
        more_url=lambda tenant: _triage_url(tenant, "?status=assigned&status=in_progress&status=resolved"),
        entry=lambda report, tenant: _report_entry(report, tenant, urgent=report.overdue),
        empty=_("No open cases on your desk. Well done."),
        order=10,
    ),
    DeskSection(
        key="to-triage",
        title=_("New reports waiting for triage"),
        permission="report.triage",
        items=lambda tenant, user: reports_to_triage(tenant=tenant),
        template="incidents/desk/_report.html",
        more_url=lambda tenant: _triage_url(tenant, "?status=new"),
        entry=_report_entry,
        empty=_("Every new report has been triaged."),
        order=20,
    ),
    DeskSection(
        key="visits-due",
        title=_("Return visits due this week"),
        permission="report.triage",
        items=lambda tenant, user: my_visits_due(tenant=tenant, user=user),
        template="incidents/desk/_visit.html",
        more_url=lambda tenant: _triage_url(tenant, "?status=resolved"),
        entry=_visit_entry,
        empty=_("No return visits due this week."),
        order=30,
    ),
)
