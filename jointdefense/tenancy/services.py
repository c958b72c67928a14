"""Writes of tenancy data: each one atomic, validated and audited."""

from django.contrib.gis.geos import MultiPolygon
from django.db import transaction
from django.dispatch import Signal
from django.utils.translation import gettext as _
from django_scopes import scope

from jointdefense.core.errors import DomainError
from jointdefense.core.services import audit

from .models import Community, GridCell, Membership, Role, Tenant

# sent inside tenant_save's transaction, with the new station's scope open
tenant_created = Signal()


@transaction.atomic
def tenant_save(*, actor, tenant: Tenant) -> Tenant:
    """Create or change a station or bureau (the platform operator, in the admin)."""
    created = tenant.pk is None
    if tenant.boundary is not None and tenant.boundary.geom_type == "Polygon":
        tenant.boundary = MultiPolygon(tenant.boundary, srid=tenant.boundary.srid)
    tenant.full_clean()
    tenant.save()
    audit(tenant=tenant, actor=actor, action="tenant.created" if created else "tenant.changed", target=tenant)
    if created:
        # domain apps give a new station its starting lists (background groups, point rules, …)
        with scope(tenant=tenant.scope_tenants()):
            tenant_created.send(sender=Tenant, tenant=tenant)
    return tenant


@transaction.atomic
def community_create(
    *,
    tenant: Tenant,
    actor,
    slug: str,
    name_en: str,
    name_zh_hans: str = "",
    boundary,
    households: int | None = None,
) -> Community:
    community = Community(
        tenant=tenant,
        slug=slug,
        name=name_en,
        name_en=name_en,
        name_zh_hans=name_zh_hans or None,
        boundary=boundary,
        households=households,
    )
    community.full_clean()
    community.save()
    audit(tenant=tenant, actor=actor, action="community.created", target=community)
    return community


@transaction.atomic
def grid_cell_create(
    *, community: Community, actor, code: str, name_en: str, name_zh_hans: str = "", boundary
) -> GridCell:
    cell = GridCell(
        tenant_id=community.tenant_id,
        community=community,
        code=code,
        name=name_en,
        name_en=name_en,
        name_zh_hans=name_zh_hans or None,
        boundary=boundary,
    )
    cell.full_clean()
    cell.save()
    audit(tenant=community.tenant, actor=actor, action="grid_cell.created", target=cell)
    return cell


@transaction.atomic
def membership_grant(*, tenant: Tenant, user, roles: list[str], actor) -> Membership:
    """Give ``user`` these roles in ``tenant`` (replacing the roles it had there)."""
    roles = sorted(set(roles))
    unknown = set(roles) - set(Role.values)
    if unknown:
        raise DomainError(_("Unknown roles: %(roles)s") % {"roles": ", ".join(sorted(unknown))}, code="role")
    membership, created = Membership.objects.select_for_update().get_or_create(
        tenant=tenant, user=user, defaults={"roles": roles}
    )
    if not created:
        if membership.roles == roles and membership.is_active:
            return membership
        membership.roles = roles
        membership.is_active = True
        membership.save(update_fields=["roles", "is_active"])
    audit(tenant=tenant, actor=actor, action="membership.granted", target=membership, roles=roles)
    return membership


@transaction.atomic
def membership_add_roles(*, tenant: Tenant, user, roles: list[str], actor) -> Membership:
    """Add roles to the user's membership in ``tenant`` (creating it), keeping the others."""
    existing = Membership.objects.select_for_update().filter(tenant=tenant, user=user).first()
    current = set(existing.roles) if existing and existing.is_active else set()
    return membership_grant(tenant=tenant, user=user, roles=sorted(current | set(roles)), actor=actor)


@transaction.atomic
def membership_remove_roles(*, tenant: Tenant, user, roles: list[str], actor) -> Membership | None:
    """Take roles away; a membership left with no role is deactivated."""
    membership = Membership.objects.select_for_update().filter(tenant=tenant, user=user).first()
    if membership is None:
        return None
    remaining = sorted(set(membership.roles) - set(roles))
    if remaining == sorted(membership.roles):
        return membership
    membership.roles = remaining
    membership.is_active = bool(remaining)
    membership.save(update_fields=["roles", "is_active"])
    audit(
        tenant=tenant, actor=actor, action="membership.roles_removed", target=membership, roles=sorted(roles)
    )
    return membership
