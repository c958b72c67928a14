from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenancyConfig(AppConfig):
    name = "jointdefense.tenancy"
    label = "tenancy"
    verbose_name = _("Stations and areas")

    def ready(self):
        from jointdefense.core.registry import NavItem, navigation

        from .models import Role

        navigation.register(
            NavItem(
                "tenancy:home",
                _("Overview"),
                "station.view",
                group="station",
                order=10,
                icon="map",
                landing_for=frozenset({Role.BUREAU_VIEWER, Role.GRID_WORKER}),
            ),
            NavItem(
                "tenancy:dashboard",
                _("Dashboard"),
                "station.view_dashboard",
                group="station",
                order=5,
                icon="chart",
                landing_for=frozenset({Role.CHIEF}),
            ),
            NavItem(
                "tenancy:desk",
                _("My desk"),
                "desk.view",
                group="station",
                order=5,
                icon="inbox",
                landing_for=frozenset({Role.OFFICER}),
                on_bureau=False,
            ),
            NavItem("tenancy:rankings", _("Rankings"), "station.view_dashboard", group="station", order=7),
            NavItem("tenancy:community-list", _("Communities"), "community.view", group="station", order=20),
            NavItem("tenancy:member-list", _("People"), "station.view_members", group="station", order=30),
            NavItem("tenancy:summary-list", _("Weekly summaries"), "summary.view", group="station", order=40),
        )
