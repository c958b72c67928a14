from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PatrolsConfig(AppConfig):
    name = "patrols"
    verbose_name = _("Patrols")

    def ready(self):
        from jointdefense.core.registry import (
            CalendarSource,
            DemoSeeder,
            NavItem,
            RollupSource,
            calendar_sources,
            demo_seeders,
            desk_sections,
            figures,
            navigation,
            rollup_sources,
            summary_sections,
            team_measures,
        )
        from jointdefense.tenancy.models import Role

        from . import demo, desk, summary
        from .figures import figures as patrol_figures
        from .figures import team_measures as patrol_measures
        from .selectors import calendars
        from .selectors import rollups as patrols_rollups

        calendar_sources.register(
            CalendarSource(
                "patrols.shifts", for_volunteer=calendars.volunteer_shifts, for_team=calendars.team_shifts
            )
        )
        navigation.register(
            NavItem(
                "patrols:my-patrol",
                _("My patrol"),
                "patrol.walk",
                group="patrols",
                order=10,
                icon="walk",
                landing_for=frozenset({Role.VOLUNTEER}),
            ),
            NavItem("patrols:shifts", _("Shifts"), "shift.signup", group="patrols", order=20),
            NavItem("patrols:board", _("Duty board"), "patrol.view_board", group="patrols", order=30),
            NavItem(
                "patrols:coverage",
                _("Shift coverage"),
                "shift.view_coverage",
                group="patrols",
                order=40,
                landing_for=frozenset({Role.TEAM_LEADER}),
            ),
            NavItem("patrols:route-list", _("Routes"), "patrol.plan", group="patrols", order=50),
            NavItem(
                "patrols:patrol-list", _("Patrols walked"), "patrol.view_records", group="patrols", order=60
            ),
            NavItem(
                "patrols:review-queue", _("Check-in review"), "checkin.review", group="patrols", order=70
            ),
            NavItem("patrols:hotspots", _("Hot spots"), "patrol.view_hotspots", group="patrols", order=80),
        )
        figures.register(*patrol_figures())
        rollup_sources.register(RollupSource("patrols.", patrols_rollups.rows))
        team_measures.register(*patrol_measures())
        demo_seeders.register(
            DemoSeeder("patrols", demo.seed_demo_station, order=40, summary=demo.demo_summary)
        )
        desk_sections.register(*desk.SECTIONS)
        summary_sections.register(*summary.SECTIONS)
