"""The navigation of a station, by role: one table; an entry shows when the user holds its
permission (accounts.roles.PERMISSIONS). Domain apps append their entries as they arrive."""

from collections.abc import Callable
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
    # a further check for entries a role holds only for some people (e.g. mediation volunteers)
    visible: Callable | None = None


def _mediates(user, tenant):
    """Staff see every mediation; a volunteer only when classified as a mediation volunteer."""
    from incidents.mediation import can_see_all, volunteer_mediator_for

    return can_see_all(user, tenant) or volunteer_mediator_for(user=user, tenant=tenant) is not None


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
    NavItem("incidents:mediation-list", _("Mediations"), "mediation.view", "people", visible=_mediates),
    NavItem("patrols:route-list", _("Routes"), "patrol.plan", "route"),
    NavItem("patrols:coverage", _("Shift coverage"), "shift.view_coverage", "calendar"),
    NavItem("patrols:hotspots", _("Hot spots"), "patrol.view_hotspots", "fire"),
    NavItem("patrols:shifts", _("Shifts"), "shift.signup", "calendar"),
    NavItem("incidents:report", _("Report"), "station.view", "alert"),
    NavItem("patrols:my-patrol", _("My patrol"), "patrol.walk", "walk"),
    NavItem("patrols:board", _("Duty board"), "patrol.view_board", "map"),
    NavItem("patrols:patrol-list", _("Patrols walked"), "patrol.view_records", "clock"),
    NavItem("patrols:review-queue", _("Check-in review"), "checkin.review", "check"),
]


def navigation_for(request):
    tenant = getattr(request, "tenant", None)
    user = getattr(request, "user", None)
    if tenant is None or user is None or not user.is_authenticated:
        return []
    current = request.resolver_match.view_name if request.resolver_match else ""
    items = []
    for item in STATION_NAV:
        if has_station_perm(user, tenant, item.permission) and (
            item.visible is None or item.visible(user, tenant)
        ):
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
