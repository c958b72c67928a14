from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PatrolsConfig(AppConfig):
    name = "patrols"
    verbose_name = _("Patrols")

    def ready(self):
        # the planning beat task lives outside tasks.py (the field side's), so register it here
        from . import schedule_tasks  # noqa: F401
