"""A station's navigation, composed from what the apps register (core.registry.navigation).

An entry shows when the user holds its permission in the station (tenancy.roles.PERMISSIONS), or,
for a public entry (``permission="public"``), to everyone including anonymous residents. Entries are
grouped by area (core.registry.NAV_GROUPS); the page a user's role lands on comes first, on its own.
"""

from dataclasses import dataclass, field

from django.urls import reverse

from jointdefense.core.registry import NAV_GROUPS, NavItem, navigation

from .models import Role
from .roles import PUBLIC, has_station_perm, roles_for

# whose landing page a person with several roles gets: the widest responsibility first
LANDING_PRIORITY = [
    Role.CHIEF,
    Role.BUREAU_VIEWER,
    Role.OFFICER,
    Role.TEAM_LEADER,
    Role.GRID_WORKER,
    Role.VOLUNTEER,
]


@dataclass
class NavGroup:
    key: str
    label: str
    items: list[dict] = field(default_factory=list)

    @property
    def active(self) -> bool:
        return any(item["active"] for item in self.items)


def _shown(item: NavItem, user, tenant) -> bool:
    if tenant.is_bureau and not item.on_bureau:
        return False
    if item.permission != PUBLIC and (
        not user.is_authenticated or not has_station_perm(user, tenant, item.permission)
    ):
        return False
    return item.visible is None or item.visible(user, tenant)


def navigation_for(request) -> dict:
    """``{"landing": item or None, "groups": [NavGroup, ...]}`` for the request's station."""
    tenant = getattr(request, "tenant", None)
    user = getattr(request, "user", None)
    if tenant is None or user is None:
        return {"landing": None, "groups": []}
    current = request.resolver_match.view_name if request.resolver_match else ""
    held = roles_for(user, tenant)
    role = next((r for r in LANDING_PRIORITY if r in held), None)
    landing = None
    groups = {key: NavGroup(key, label) for key, label in NAV_GROUPS.items()}
    for item in navigation:
        if not _shown(item, user, tenant):
            continue
        entry = {
            "url": reverse(item.url_name, kwargs={"station": tenant.slug}),
            "label": item.label,
            "icon": item.icon,
            "active": current == item.url_name,
            "url_name": item.url_name,
        }
        if landing is None and role in item.landing_for:
            landing = entry
            continue
        groups[item.group].items.append(entry)
    return {"landing": landing, "groups": [g for g in groups.values() if g.items]}
