from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TeamsConfig(AppConfig):
    name = "teams"
    verbose_name = _("Volunteers and teams")

    def ready(self):
        from jointdefense.core.registry import (
            DemoOption,
            DemoSeeder,
            NavItem,
            RollupSource,
            demo_seeders,
            desk_sections,
            figures,
            navigation,
            rollup_sources,
            summary_sections,
            team_measures,
        )
        from jointdefense.tenancy.roles import PUBLIC, is_outsider
        from jointdefense.tenancy.services import tenant_created

        from . import demo, desk, summary
        from .figures import figures as team_figures
        from .figures import team_measures as measures_of_teams
        from .selectors import rollups as teams_rollups
        from .services.volunteers import station_defaults_ensure

        def give_defaults(sender, tenant, **kwargs):
            if not tenant.is_bureau:
                station_defaults_ensure(tenant=tenant)

        tenant_created.connect(give_defaults, dispatch_uid="teams.station_defaults", weak=False)

        navigation.register(
            NavItem(
                "teams:application-list", _("Applications"), "volunteer.screen", group="volunteers", order=10
            ),
            NavItem("teams:volunteer-list", _("Volunteers"), "volunteer.view", group="volunteers", order=20),
            NavItem("teams:team-list", _("Teams"), "team.view", group="volunteers", order=30),
            NavItem(
                "teams:my-volunteering",
                _("My volunteering"),
                "volunteer.view_own",
                group="volunteers",
                order=40,
            ),
            NavItem(
                "teams:apply",
                _("Volunteer with us"),
                PUBLIC,
                group="volunteers",
                order=90,
                on_bureau=False,
                visible=is_outsider,
            ),
            NavItem("teams:leaderboard", _("Points"), "points.view_leaderboard", group="points", order=10),
            NavItem("teams:ledger", _("Points ledger"), "points.view_ledger", group="points", order=15),
            NavItem("teams:redemption-list", _("Redemptions"), "redemption.decide", group="points", order=20),
        )
        figures.register(*team_figures())
        rollup_sources.register(RollupSource("teams.", teams_rollups.rows))
        team_measures.register(*measures_of_teams())
        demo_seeders.register(
            DemoSeeder(
                "teams",
                demo.seed_demo_station,
                order=10,
                options=(
                    DemoOption(
                        "volunteers",
                        240,
                        "volunteers of the main station (the second station gets a quarter)",
                    ),
                ),
                summary=demo.demo_summary,
            )
        )
        desk_sections.register(*desk.SECTIONS)
        summary_sections.register(*summary.SECTIONS)
