from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = _("Incidents")

    def ready(self):
        from jointdefense.core.registry import (
            DemoOption,
            DemoSeeder,
            NavItem,
            RollupSource,
            StationPanel,
            dashboard_maps,
            demo_seeders,
            desk_sections,
            figures,
            navigation,
            rollup_sources,
            station_panels,
            summary_sections,
        )
        from jointdefense.tenancy.roles import PUBLIC
        from jointdefense.tenancy.services import tenant_created

        from . import demo, desk, summary
        from .figures import dashboard_maps as incident_maps
        from .figures import figures as incident_figures
        from .selectors.mediation import disputes_settled_panel, may_see_mediations
        from .selectors.rollups import SOURCES
        from .services.reports import station_defaults_ensure

        def give_defaults(sender, tenant, **kwargs):
            if not tenant.is_bureau:
                station_defaults_ensure(tenant=tenant)

        tenant_created.connect(give_defaults, dispatch_uid="incidents.station_defaults", weak=False)

        navigation.register(
            NavItem(
                "incidents:triage",
                _("Report queue"),
                "report.triage",
                group="reports",
                order=10,
                icon="inbox",
            ),
            NavItem(
                "incidents:mediation-list",
                _("Mediations"),
                "mediation.view",
                group="reports",
                order=20,
                visible=may_see_mediations,
            ),
            NavItem("incidents:report", _("Report"), PUBLIC, group="reports", order=80, on_bureau=False),
            NavItem(
                "incidents:track-lookup",
                _("Follow a report"),
                PUBLIC,
                group="reports",
                order=90,
                on_bureau=False,
            ),
        )
        station_panels.register(
            StationPanel(
                "incidents.disputes_settled",
                "incidents/mediation/_disputes_settled.html",
                "mediation.view_counts",
                disputes_settled_panel,
                order=50,
                station=True,
                bureau=True,
            )
        )
        figures.register(*incident_figures())
        rollup_sources.register(*(RollupSource(prefix, rows, order=20) for prefix, rows in SOURCES))
        dashboard_maps.register(*incident_maps())
        demo_seeders.register(
            DemoSeeder(
                "incidents.reports",
                demo.seed_demo_reports,
                order=20,
                options=(
                    DemoOption(
                        "reports", 400, "half a year of reports at the main station (a tenth at the second)"
                    ),
                ),
            ),
            DemoSeeder(
                "incidents.mediation",
                demo.seed_demo_mediations,
                order=30,
                options=(DemoOption("mediations", 120, "a year of mediations at the main station"),),
            ),
        )
        desk_sections.register(*desk.SECTIONS)
        summary_sections.register(*summary.SECTIONS)
