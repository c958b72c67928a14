"""What the incidents app registers on the dashboard (``core.registry.figures``): each figure's
selector (``selectors/figures.py``) and the list behind it, filtered the same way."""

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from jointdefense.core.registry import DashboardMap, Figure

from .models import Category, Report
from .selectors import figures as f
from .selectors import heat

ALL_STATUSES = [value for value, _label in Report.Status.choices]


def _url(name, tenant, **query):
    return reverse(name, kwargs={"station": tenant.slug}) + "?" + urlencode(query, doseq=True)


def _reports(**extra):
    def link(tenant, period):
        return _url("incidents:triage", tenant, **{"status": ALL_STATUSES, **period.query(), **extra})

    return link


def _hazards_link(tenant, period):
    query = period.query()
    return _url(
        "incidents:triage",
        tenant,
        status=list(f.DONE),
        kind=Category.Kind.HAZARD,
        resolved_start=query["start"],
        resolved_end=query["end"],
    )


def _mediations_opened(tenant, period):
    return _url("incidents:mediation-list", tenant, **period.query())


def _mediations_settled(tenant, period):
    query = period.query()
    return _url(
        "incidents:mediation-list",
        tenant,
        outcome="settled",
        closed_start=query["start"],
        closed_end=query["end"],
    )


def _by_status(status, label, order):
    return Figure(
        f"incidents.reports_{status}",
        format_lazy(_("… now “{status}”"), status=label),
        "reports",
        lambda tenant, period: f.reports_received(tenant, period, status=status),
        order=order,
        link=_reports(status=[status]),
        link_permission="report.triage",
    )


def figures():
    """The incidents app's figures, in the order the dashboard shows them."""
    entries = [
        Figure(
            "incidents.reports_received",
            _("Reports received"),
            "reports",
            f.reports_received,
            order=10,
            link=_reports(),
            link_permission="report.triage",
            help=_("Below: where they stand now."),
            series=f.reports_received_weekly,
        ),
    ]
    for position, (status, label) in enumerate(Report.Status.choices):
        entries.append(_by_status(status, label, 11 + position))
    entries += [
        Figure(
            "incidents.hazards_removed",
            _("Hazards removed"),
            "reports",
            f.hazards_removed,
            order=30,
            link=_hazards_link,
            link_permission="report.triage",
            help=_("Hazard reports resolved or closed in the period."),
        ),
        Figure(
            "incidents.clues_provided",
            _("Clues provided"),
            "reports",
            f.clues_provided,
            order=40,
            link=_reports(kind=Category.Kind.CLUE),
            link_permission="report.triage",
        ),
        Figure(
            "incidents.clues_valuable",
            _("Clues found valuable"),
            "reports",
            f.clues_valuable,
            order=41,
            link=_reports(kind=Category.Kind.CLUE, clue="valuable"),
            link_permission="report.triage",
        ),
        Figure(
            "incidents.triage_median",
            _("Median time to triage"),
            "reports",
            f.triage_minutes,
            unit="minutes",
            order=50,
            help=_("From the report to its first status change, for reports received in the period."),
        ),
        Figure(
            "incidents.disputes_mediated",
            _("Disputes mediated"),
            "cases",
            f.disputes_mediated,
            order=10,
            link=_mediations_opened,
            link_permission="mediation.manage",
            help=_("Mediations opened in the period."),
        ),
        Figure(
            "incidents.disputes_settled",
            _("Disputes settled"),
            "cases",
            f.disputes_settled,
            order=11,
            link=_mediations_settled,
            link_permission="mediation.manage",
        ),
        Figure("incidents.return_visits_due", _("Return visits due"), "cases", f.return_visits_due, order=20),
        Figure(
            "incidents.return_visits_on_time",
            _("Return visits on time"),
            "cases",
            f.return_visits_on_time,
            order=21,
        ),
        Figure(
            "incidents.return_visits_late",
            _("Return visits late"),
            "cases",
            f.return_visits_late,
            order=22,
            help=_("Made after the deadline, or not made and past it."),
        ),
        Figure(
            "incidents.satisfaction_first_visit",
            _("Satisfied at the first return visit"),
            "cases",
            f.satisfaction_first_visit,
            unit="percent",
            order=23,
            help=_("Of the residents who rated their first visit in the period."),
        ),
    ]
    return entries


def _breakdown(tenant, period):
    """The heat map's table: the period's reports per community and per grid cell, each row
    linking to the report queue holding exactly those reports."""
    link = _reports()
    communities = [
        {
            "label": row["community"].name if row["community"] else _("Outside every community"),
            "count": row["count"],
            "url": link(tenant, period) + f"&community={row['community'].pk}" if row["community"] else "",
        }
        for row in heat.reports_by_community(tenant, period)
    ]
    cells = [
        {
            "label": str(row["grid_cell"]) if row["grid_cell"] else _("In no grid cell"),
            "count": row["count"],
            "url": link(tenant, period) + f"&grid_cell={row['grid_cell'].pk}" if row["grid_cell"] else "",
        }
        for row in heat.reports_by_grid_cell(tenant, period)
    ]
    return [
        {
            "key": "community",
            "title": _("Reports by community"),
            "label": _("Community"),
            "rows": communities,
        },
        {"key": "grid_cell", "title": _("Reports by grid cell"), "label": _("Grid cell"), "rows": cells},
    ]


def dashboard_maps():
    """The incidents app's map on the dashboard: where the period's reports came from."""
    return [
        DashboardMap(
            "incidents.reports_heat",
            _("Where reports came from"),
            "station.view_dashboard",
            heat.heat_points,
            _breakdown,
            order=10,
            link_permission="report.triage",
            help=_(
                "Reports received in the period, counted in squares of about 200 m (never the exact place)."
            ),
        )
    ]
