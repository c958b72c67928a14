"""The navigation of a station, by role: one table; an entry shows when the user holds its
permission (accounts.roles.PERMISSIONS). Domain apps append their entries as they arrive."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .roles import has_station_perm


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str
    permission: str
    icon: str = ""


STATION_NAV = [
    NavItem("tenancy:home", _("Overview"), "station.view", "map"),
    NavItem("tenancy:community-list", _("Communities"), "community.view", "grid"),
    NavItem("teams:application-list", _("Applications"), "volunteer.screen", "inbox"),
    NavItem("teams:volunteer-list", _("Volunteers"), "volunteer.view", "people"),
    NavItem("teams:team-list", _("Teams"), "team.view", "flag"),
    NavItem("teams:leaderboard", _("Points"), "points.view_leaderboard", "star"),
    NavItem("teams:redemption-list", _("Redemptions"), "redemption.decide", "gift"),
    NavItem("tenancy:member-list", _("People"), "station.view_members", "people"),
    NavItem("incidents:triage", _("Reports"), "report.triage", "inbox"),
    NavItem("patrols:route-list", _("Routes"), "patrol.plan", "route"),
    NavItem("patrols:coverage", _("Shift coverage"), "shift.view_coverage", "calendar"),
    NavItem("patrols:hotspots", _("Hot spots"), "patrol.view_hotspots", "fire"),
    NavItem("patrols:shifts", _("Shifts"), "shift.signup", "calendar"),
    NavItem("incidents:report", _("Report"), "station.view", "alert"),
]


def navigation_for(request):
    tenant = getattr(request, "tenant", None)
    user = getattr(request, "user", None)
    if tenant is None or user is None or not user.is_authenticated:
        return []
    current = request.resolver_match.view_name if request.resolver_match else ""
    items = []
    for item in STATION_NAV:
        if has_station_perm(user, tenant, item.permission):
            items.append(
                {
                    "url": reverse(item.url_name, kwargs={"station": tenant.slug}),
                    "label": item.label,
                    "icon": item.icon,
                    "active": current == item.url_name,
                }
            )
    if _is_volunteer(request, tenant):
        items.append(
            {
                "url": reverse("teams:my-volunteering", kwargs={"station": tenant.slug}),
                "label": _("My volunteering"),
                "icon": "user",
                "active": current == "teams:my-volunteering",
            }
        )
    return items


def _is_volunteer(request, tenant):
    from jointdefense.tenancy.models import Role

    from .roles import roles_for

    return Role.VOLUNTEER in roles_for(request.user, tenant)
