from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenancyConfig(AppConfig):
    name = "jointdefense.tenancy"
    label = "tenancy"
    verbose_name = _("Stations and areas")
