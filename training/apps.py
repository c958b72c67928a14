from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = _("Training")

    def ready(self):
        from jointdefense.core.registry import (
            ActivationCheck,
            CalendarSource,
            DemoSeeder,
            KeptCount,
            NavItem,
            activation_checks,
            calendar_sources,
            demo_seeders,
            desk_sections,
            figures,
            kept_counts,
            navigation,
            summary_sections,
        )

        from . import demo, desk, summary
        from .figures import figures as training_figures
        from .selectors.qualifications import training_refusal
        from .services.compliance import compliance_counts_rebuild

        # activating a volunteer (teams' screening) requires the pre-job courses they need
        activation_checks.register(
            ActivationCheck(
                "training.pre_job", lambda volunteer: training_refusal(volunteer, pre_job_only=True)
            )
        )
        figures.register(*training_figures())
        # the compliance figure reads a count kept per station and day (training.services.compliance)
        kept_counts.register(
            KeptCount("training.compliance", "training.refresh_compliance_count", compliance_counts_rebuild)
        )
        demo_seeders.register(
            DemoSeeder("training", demo.seed_demo_station, order=35, summary=demo.demo_summary)
        )
        from .selectors import calendars

        calendar_sources.register(
            CalendarSource("training.sessions", for_volunteer=calendars.volunteer_sessions)
        )
        navigation.register(
            NavItem("training:my-training", _("My training"), "session.enrol", group="training", order=10),
            NavItem(
                "training:session-list", _("Training sessions"), "course.view", group="training", order=20
            ),
            NavItem("training:course-list", _("Courses"), "course.manage", group="training", order=30),
            NavItem(
                "training:record-list",
                _("Training records"),
                "training.view_records",
                group="training",
                order=40,
            ),
            NavItem(
                "training:certificate-list",
                _("Certificates"),
                "certificate.view_all",
                group="training",
                order=50,
            ),
            NavItem(
                "training:compliance",
                _("Training compliance"),
                "training.view_compliance",
                group="training",
                order=60,
            ),
        )
        desk_sections.register(*desk.SECTIONS)
        summary_sections.register(*summary.SECTIONS)
