from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = _("Incidents")

    def ready(self):
        from jointdefense.tenancy.services import tenant_created

        from . import services

        def give_defaults(sender, tenant, **kwargs):
            if not tenant.is_bureau:
                services.station_defaults_ensure(tenant=tenant)

        tenant_created.connect(give_defaults, dispatch_uid="incidents.station_defaults", weak=False)
