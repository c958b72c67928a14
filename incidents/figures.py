"""What the incidents app registers on the dashboard (``core.registry.figures``): each figure's
selector (``selectors/figures.py``, reading the rollups), its plain GROUP BY twin (``raw``), its
weekly series for the main ones, and the list behind it, filtered the same way."""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from jointdefense.core.links import station_url
from jointdefense.core.registry import DashboardMap, Figure

from .models import DEFAULT_CATEGORIES, Category, Report
from .selectors import figures as f
from .selectors import heat

ALL_STATUSES = [value for value, _label in Report.Status.choices]


_url = station_url


def _reports(**extra):
    def link(tenant, period):
        return _url("incidents:triage", tenant, **{"status": ALL_STATUSES, **period.query(), **extra})

    return link


def _category_link(slug):
    def link(tenant, period):
        category = f.category_of(tenant, slug)
        extra = {"category": category.pk} if category else {"category": "0"}
        return _url("incidents:triage", tenant, **{"status": ALL_STATUSES, **period.query(), **extra})

    return link


def _timed_link(which):
    """The reports received in the period that were triaged (or resolved) since: the rows of the
    percentile."""

    def link(tenant, period):
        return _url("incidents:triage", tenant, **{"status": ALL_STATUSES, **period.query(), which: "yes"})

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


def _visits(**extra):
    """The return-visit list: due in the period (``dates="rated"``: rated, ``"opened"``: opened)."""
    dates = extra.pop("dates", "")

    def link(tenant, period):
        query = period.query()
        if dates:
            query = {f"{dates}_start": query["start"], f"{dates}_end": query["end"]}
        return _url("incidents:return-visit-list", tenant, **query, **extra)

    return link


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
        raw=lambda tenant, period: f.reports_received_raw(tenant, period, status=status),
        order=order,
        link=_reports(status=[status]),
        link_permission="report.triage",
    )


def _by_category(slug, label, order):
    return Figure(
        f"incidents.reports_category_{slug}",
        format_lazy(_("… of them “{category}”"), category=label),
        "reports",
        lambda tenant, period: f.reports_in_category(tenant, period, slug),
        raw=lambda tenant, period: f.reports_in_category_raw(tenant, period, slug),
        order=order,
        link=_category_link(slug),
        link_permission="report.triage",
    )


def _percentile(key, label, compute, raw, fraction, order, link, help_text):
    return Figure(
        key,
        label,
        "reports",
        lambda tenant, period: compute(tenant, period, fraction),
        raw=lambda tenant, period: raw(tenant, period, fraction),
        unit="minutes",
        pooled=True,
        order=order,
        link=link,
        link_permission="report.triage",
        help=help_text,
    )


def figures():
    """The incidents app's figures, in the order the dashboard shows them."""
    entries = [
        Figure(
            "incidents.reports_received",
            _("Reports received"),
            "reports",
            f.reports_received,
            raw=f.reports_received_raw,
            series=f.reports_received_weekly,
            order=10,
            link=_reports(),
            link_permission="report.triage",
            help=_("Below: where they stand now, and their categories."),
        ),
    ]
    for position, (status, label) in enumerate(Report.Status.choices):
        entries.append(_by_status(status, label, 11 + position))
    for position, (slug, label, _kind, _description) in enumerate(DEFAULT_CATEGORIES):
        entries.append(_by_category(slug, label, 20 + position))
    triage_help = _("From the report to its first status change, for reports received in the period.")
    resolve_help = _("From the report to its first resolution, for reports received in the period.")
    entries += [
        Figure(
            "incidents.hazards_removed",
            _("Hazards removed"),
            "reports",
            f.hazards_removed,
            raw=f.hazards_removed_raw,
            series=f.hazards_removed_weekly,
            order=30,
            link=_hazards_link,
            link_permission="report.triage",
            help=_("Hazard reports resolved (or resolved and closed) in the period."),
        ),
        Figure(
            "incidents.clues_provided",
            _("Clues provided"),
            "reports",
            f.clues_provided,
            raw=f.clues_provided_raw,
            order=40,
            link=_reports(kind=Category.Kind.CLUE),
            link_permission="report.triage",
        ),
        Figure(
            "incidents.clues_valuable",
            _("Clues found valuable"),
            "reports",
            f.clues_valuable,
            raw=f.clues_valuable_raw,
            series=f.clues_valuable_weekly,
            order=41,
            link=_reports(kind=Category.Kind.CLUE, clue="valuable"),
            link_permission="report.triage",
        ),
        Figure(
            "incidents.cases_assisted",
            _("Cases assisted"),
            "reports",
            f.cases_assisted,
            raw=f.cases_assisted_raw,
            order=42,
            link=_reports(clue="case"),
            link_permission="report.triage",
            help=_("Reports received in the period that an officer marked as having helped solve a case."),
        ),
        _percentile(
            "incidents.triage_median",
            _("Median time to triage"),
            f.triage_minutes,
            f.triage_minutes_raw,
            0.5,
            50,
            _timed_link("triaged"),
            triage_help,
        ),
        _percentile(
            "incidents.triage_p90",
            _("Time to triage, 90th percentile"),
            f.triage_minutes,
            f.triage_minutes_raw,
            0.9,
            51,
            _timed_link("triaged"),
            triage_help,
        ),
        _percentile(
            "incidents.resolve_median",
            _("Median time to resolve"),
            f.resolve_minutes,
            f.resolve_minutes_raw,
            0.5,
            52,
            _timed_link("resolved"),
            resolve_help,
        ),
        _percentile(
            "incidents.resolve_p90",
            _("Time to resolve, 90th percentile"),
            f.resolve_minutes,
            f.resolve_minutes_raw,
            0.9,
            53,
            _timed_link("resolved"),
            resolve_help,
        ),
        Figure(
            "incidents.disputes_mediated",
            _("Disputes mediated"),
            "cases",
            f.disputes_mediated,
            raw=f.disputes_mediated_raw,
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
            raw=f.disputes_settled_raw,
            series=f.disputes_settled_weekly,
            order=11,
            link=_mediations_settled,
            link_permission="mediation.manage",
        ),
        Figure(
            "incidents.return_visits_due",
            _("Return visits due"),
            "cases",
            f.return_visits_due,
            raw=f.return_visits_due_raw,
            order=20,
            link=_visits(),
            link_permission="report.triage",
        ),
        Figure(
            "incidents.return_visits_on_time",
            _("Return visits on time"),
            "cases",
            f.return_visits_on_time,
            raw=f.return_visits_on_time_raw,
            series=f.return_visits_on_time_weekly,
            order=21,
            link=_visits(state="on_time"),
            link_permission="report.triage",
        ),
        Figure(
            "incidents.return_visits_late",
            _("Return visits late"),
            "cases",
            f.return_visits_late,
            raw=f.return_visits_late_raw,
            order=22,
            link=_visits(state="late"),
            link_permission="report.triage",
            help=_("Made after the deadline, or not made and past it."),
        ),
        Figure(
            "incidents.satisfaction_first_visit",
            _("Satisfied at the first return visit"),
            "cases",
            f.satisfaction_first_visit,
            raw=f.satisfaction_first_visit_raw,
            unit="percent",
            pooled=True,
            order=23,
            link=_visits(dates="rated", level="officer", rating="any"),
            link_permission="report.triage",
            help=_("Of the residents who rated their first visit in the period."),
        ),
        Figure(
            "incidents.satisfaction_after_escalation",
            _("Satisfied after escalation"),
            "cases",
            f.satisfaction_after_escalation,
            raw=f.satisfaction_after_escalation_raw,
            unit="percent",
            pooled=True,
            order=24,
            link=_visits(dates="rated", escalated="yes", rating="any"),
            link_permission="report.triage",
            help=_("Of the ratings in the period of a visit by the station chief or the bureau."),
        ),
        Figure(
            "incidents.never_satisfied",
            _("Not satisfied by the chief's visit"),
            "cases",
            f.never_satisfied,
            raw=f.never_satisfied_raw,
            order=25,
            link=_visits(dates="opened", level="bureau"),
            link_permission="report.triage",
            help=_("Cases passed to the bureau in the period: the resident was still not satisfied."),
        ),
    ]
    return entries


def _breakdown(tenant, period, limit=None):
    """The heat map's table: the period's reports per community and per grid cell (the busiest
    ``limit`` of each when given), each row linking to the report queue holding exactly those
    reports (the queue's address built once)."""
    queue = _reports()(tenant, period)
    communities, all_communities = heat.breakdown_rows(tenant, period, "community", limit)
    cells, all_cells = heat.breakdown_rows(tenant, period, "grid_cell", limit)
    return [
        {
            "key": "community",
            "title": _("Reports by community"),
            "label": _("Community"),
            "rows": [
                {
                    "label": row["community"].name if row["community"] else _("Outside every community"),
                    "count": row["count"],
                    "url": f"{queue}&community={row['community'].pk}" if row["community"] else "",
                }
                for row in communities
            ],
            "total_rows": all_communities,
        },
        {
            "key": "grid_cell",
            "title": _("Reports by grid cell"),
            "label": _("Grid cell"),
            "rows": [
                {
                    "label": str(row["grid_cell"]) if row["grid_cell"] else _("In no grid cell"),
                    "count": row["count"],
                    "url": f"{queue}&grid_cell={row['grid_cell'].pk}" if row["grid_cell"] else "",
                }
                for row in cells
            ],
            "total_rows": all_cells,
        },
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
