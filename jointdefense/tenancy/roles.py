"""Who may do what: one table, role by action, used by pages, the API and the tests alike.

A permission is checked against a tenant: ``user.has_perm("community.view", tenant)`` (rules), or
``require_station_perm(user, tenant, perm)`` which also turns "not a member" into 404 and "member
without the role" into 403.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django_scopes import scopes_disabled

from jointdefense.tenancy.models import Membership, Role

ALL_ROLES = frozenset(Role.values)
# not a permission: marks a navigation entry that everyone sees, anonymous residents included
PUBLIC = "public"
STAFF = frozenset({Role.OFFICER, Role.CHIEF})

# action -> roles that may perform it
PERMISSIONS: dict[str, frozenset[str]] = {
    "station.view": ALL_ROLES,
    "station.view_members": STAFF | {Role.BUREAU_VIEWER},
    "station.view_rollup": frozenset({Role.CHIEF, Role.BUREAU_VIEWER}),
    # the chief's dashboard (tenancy.dashboard): the station's figures; the bureau reads it too.
    # Officers work from their desk (desk.view).
    "station.view_dashboard": frozenset({Role.CHIEF, Role.BUREAU_VIEWER}),
    "desk.view": STAFF,  # the officer's desk: what waits for the station's officers
    # the weekly station summaries' archive (tenancy.summaries): the chief and the bureau read it,
    # the chief sends one again; officers are e-mailed each summary
    "summary.view": frozenset({Role.CHIEF, Role.BUREAU_VIEWER}),
    "summary.resend": frozenset({Role.CHIEF}),
    "community.view": ALL_ROLES,
    "gridcell.view": ALL_ROLES,
    # volunteers and teams (teams app)
    "volunteer.view": STAFF | {Role.BUREAU_VIEWER},
    "volunteer.view_id_number": STAFF,
    "volunteer.screen": STAFF,
    "volunteer.import": STAFF,
    "volunteer.export": STAFF,
    "volunteer.manage_backgrounds": STAFF,
    "team.view": STAFF | {Role.TEAM_LEADER, Role.BUREAU_VIEWER},  # team leaders: their own teams only
    "team.manage": STAFF,
    "points.view_rules": ALL_ROLES,
    "points.manage_rules": frozenset({Role.CHIEF}),
    "points.award": STAFF,
    "points.reverse": frozenset({Role.CHIEF}),
    "points.view_ledger": STAFF | {Role.BUREAU_VIEWER},
    "points.view_leaderboard": ALL_ROLES,
    "reward.view": ALL_ROLES,
    "reward.manage": frozenset({Role.CHIEF}),
    "redemption.decide": frozenset({Role.CHIEF}),
    # incidents
    "report.triage": STAFF,
    "report.view_contact": STAFF,  # each view is logged (incidents.ContactAccess)
    # dispute mediation: a volunteer sees and records sessions only where they are the mediator
    # (incidents.selectors.mediation.mediation_list restricts the rows)
    "mediation.view": STAFF | {Role.VOLUNTEER},
    "mediation.record_session": STAFF | {Role.VOLUNTEER},
    "mediation.manage": STAFF,
    "mediation.view_counts": STAFF | {Role.BUREAU_VIEWER},  # disputes settled on the overview
    # patrols in the field (patrols.services.field): volunteers walk, officers watch, review and count hours
    "patrol.walk": frozenset({Role.VOLUNTEER, Role.TEAM_LEADER}),
    "patrol.view_board": STAFF | {Role.BUREAU_VIEWER},
    "patrol.view_records": STAFF | {Role.BUREAU_VIEWER, Role.TEAM_LEADER},  # leaders: their teams' shifts
    "checkin.review": STAFF,
    # patrols: planning (routes, checkpoints, schedules, shifts, sign-ups, hot spots)
    "route.view": ALL_ROLES,
    "patrol.plan": STAFF,
    "patrol.view_hotspots": STAFF | {Role.BUREAU_VIEWER},
    "shift.view": ALL_ROLES,
    "shift.view_coverage": STAFF | {Role.TEAM_LEADER, Role.BUREAU_VIEWER},  # team leaders: own teams
    "shift.signup": frozenset({Role.VOLUNTEER}),  # the volunteer record itself decides (patrol_refusal)
    "signup.view_all": STAFF | {Role.BUREAU_VIEWER},
    "volunteer.view_own": frozenset({Role.VOLUNTEER}),  # one's own volunteering page
    # training (training app): officers run courses and sessions; volunteers enrol, check in, take
    # quizzes and hold certificates; a trainer volunteer records the sessions they give
    "course.view": ALL_ROLES,
    "course.manage": STAFF,
    "session.enrol": frozenset({Role.VOLUNTEER}),  # the volunteer record itself decides
    "session.enrol_others": STAFF,  # a volunteer or a whole team
    "session.record": STAFF | {Role.VOLUNTEER},  # a volunteer: only sessions they are the trainer of
    "certificate.view_all": STAFF | {Role.BUREAU_VIEWER},
    "certificate.revoke": STAFF,
    "training.view_records": STAFF | {Role.BUREAU_VIEWER, Role.TEAM_LEADER},  # leaders: their teams
    "training.view_compliance": STAFF | {Role.BUREAU_VIEWER},
}

# roles a bureau member carries into each station under the bureau (read-only roll-ups)
INHERITED_FROM_BUREAU = frozenset({Role.BUREAU_VIEWER})


def roles_for(user, tenant) -> frozenset[str]:
    """The roles ``user`` holds in ``tenant``: its own membership plus the read-only roles it
    holds in the tenant's bureau. Cached on the user object for the request."""
    if tenant is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cache = user.__dict__.setdefault("_station_roles", {})
    if tenant.pk not in cache:
        tenant_ids = [tenant.pk] + ([tenant.parent_id] if tenant.parent_id else [])
        roles: set[str] = set()
        with scopes_disabled():
            for m in Membership.objects.filter(user=user, tenant_id__in=tenant_ids, is_active=True):
                if m.tenant_id == tenant.pk:
                    roles.update(m.roles)
                else:
                    roles.update(INHERITED_FROM_BUREAU.intersection(m.roles))
        cache[tenant.pk] = frozenset(roles)
    return cache[tenant.pk]


def has_station_perm(user, tenant, perm: str) -> bool:
    allowed = PERMISSIONS.get(perm)
    if allowed is None:
        raise KeyError(f"unknown permission {perm!r}: add it to tenancy.roles.PERMISSIONS")
    return bool(roles_for(user, tenant) & allowed)


def require_station_perm(user, tenant, perm: str) -> None:
    """404 for outsiders (exactly like a missing station), 403 for members without the role."""
    if not roles_for(user, tenant):
        raise Http404
    if not has_station_perm(user, tenant, perm):
        raise PermissionDenied


def is_outsider(user, tenant) -> bool:
    """Anonymous, or holding no role in the station: whom the public pages invite in."""
    return not roles_for(user, tenant)
