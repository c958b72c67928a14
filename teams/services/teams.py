"""Writes of teams: a team (its name unique in the station, its community and grid cells in the
station) and its members; a member who leads a team holds the team-leader role in the station.

Each function is one atomic, audited action taking keyword arguments and an explicit ``actor``.
"""

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from jointdefense.accounts.models import User
from jointdefense.core.services import audit, kept_counts_changed
from jointdefense.tenancy.models import GridCell, Role
from jointdefense.tenancy.services import membership_add_roles, membership_remove_roles

from ..errors import ScreeningError, TeamError
from ..models import Team, TeamMember, Volunteer

S = Volunteer.Status


@transaction.atomic
def team_save(*, team: Team, actor: User | None, grid_cells: Iterable[GridCell] | None = None) -> Team:
    """Create or change ``team`` (its fields set by the caller). The name is unique in the station
    (TeamError on "name"; the database constraint stays the safety net)."""
    created = team.pk is None
    team.name = team.name.strip()
    if Team.objects.filter(tenant=team.tenant_id, name=team.name).exclude(pk=team.pk).exists():
        raise TeamError(_("This station already has a team with this name."), code="unique", field="name")
    if team.home_community is not None and team.home_community.tenant_id != team.tenant_id:
        raise TeamError(_("The community belongs to another station."), field="home_community")
    team.full_clean()
    team.save()
    if grid_cells is not None:
        grid_cells = list(grid_cells)
        if any(c.tenant_id != team.tenant_id for c in grid_cells):
            raise TeamError(_("A grid cell belongs to another station."), field="grid_cells")
        team.grid_cells.set(grid_cells, through_defaults={"tenant_id": team.tenant_id})
    audit(tenant=team.tenant, actor=actor, action="team.created" if created else "team.changed", target=team)
    if not created:
        kept_counts_changed(team.tenant)  # its type or whether it is active: the courses its members need
    return team


@transaction.atomic
def team_member_add(
    *, team: Team, volunteer: Volunteer, actor: User | None, is_leader: bool = False
) -> TeamMember:
    if volunteer.tenant_id != team.tenant_id:
        raise ScreeningError(_("The volunteer belongs to another station."), field="volunteer")
    if volunteer.status != S.ACTIVE:
        raise ScreeningError(_("Only active volunteers join teams."), field="volunteer")
    member, created = TeamMember.objects.get_or_create(
        tenant_id=team.tenant_id, team=team, volunteer=volunteer, defaults={"is_leader": is_leader}
    )
    changed = created or member.is_leader != is_leader
    if not created and changed:
        member.is_leader = is_leader
        member.save(update_fields=["is_leader"])
    _sync_leader_role(volunteer, actor)
    if changed:
        audit(
            tenant=team.tenant,
            actor=actor,
            action="team.member_set",
            target=team,
            volunteer=volunteer.pk,
            leader=is_leader,
        )
    if created:
        kept_counts_changed(team.tenant)  # the courses the team's type needs
    return member


@transaction.atomic
def team_member_remove(*, team: Team, volunteer: Volunteer, actor: User | None) -> None:
    TeamMember.objects.filter(tenant=team.tenant_id, team=team, volunteer=volunteer).delete()
    _sync_leader_role(volunteer, actor)
    audit(tenant=team.tenant, actor=actor, action="team.member_removed", target=team, volunteer=volunteer.pk)
    kept_counts_changed(team.tenant)


def _sync_leader_role(volunteer: Volunteer, actor: User | None) -> None:
    leads = TeamMember.objects.filter(
        tenant=volunteer.tenant_id, volunteer=volunteer, is_leader=True
    ).exists()
    if leads:
        membership_add_roles(
            tenant=volunteer.tenant, user=volunteer.user, roles=[Role.TEAM_LEADER], actor=actor
        )
    else:
        membership_remove_roles(
            tenant=volunteer.tenant, user=volunteer.user, roles=[Role.TEAM_LEADER], actor=actor
        )
