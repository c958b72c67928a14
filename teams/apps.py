from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TeamsConfig(AppConfig):
    name = "teams"
    verbose_name = _("Volunteers and teams")

    def ready(self):
        from jointdefense.tenancy.services import tenant_created

        from . import services

        def give_defaults(sender, tenant, **kwargs):
            if not tenant.is_bureau:
                services.station_defaults_ensure(tenant=tenant)

        tenant_created.connect(give_defaults, dispatch_uid="teams.station_defaults", weak=False)
