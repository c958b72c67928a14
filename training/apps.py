from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = _("Training")

    def ready(self):
        from jointdefense.core.registry import ActivationCheck, DemoSeeder, activation_checks, demo_seeders

        from . import demo
        from .selectors.qualifications import training_refusal

        # activating a volunteer (teams' screening) requires the pre-job courses they need
        activation_checks.register(
            ActivationCheck(
                "training.pre_job", lambda volunteer: training_refusal(volunteer, pre_job_only=True)
            )
        )
        demo_seeders.register(
            DemoSeeder("training", demo.seed_demo_station, order=35, summary=demo.demo_summary)
        )
