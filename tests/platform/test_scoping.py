"""Row-level tenancy: every tenant-owned model fails closed, reads only the active tenant's rows,
and leads its indexes and unique keys with the tenant."""

import pytest
from django.apps import apps
from django.db import models
from django_scopes import scopes_disabled
from django_scopes.exceptions import ScopeError

from jointdefense.core.models import AuditEvent, TenantOwned
from jointdefense.tenancy.models import Community, GridCell, Membership
from tests.factories import CommunityFactory

TENANT_OWNED = [m for m in apps.get_models() if issubclass(m, TenantOwned)]


def test_the_tenant_owned_models_are_found():
    assert {Community, GridCell, Membership, AuditEvent} <= set(TENANT_OWNED)


@pytest.mark.parametrize("model", TENANT_OWNED, ids=lambda m: m._meta.label)
@pytest.mark.django_db
def test_query_without_active_tenant_raises(model):
    with pytest.raises(ScopeError):
        list(model.objects.all())
    with pytest.raises(ScopeError):
        model.objects.filter(pk=1).exists()
    with pytest.raises(ScopeError):
        model.objects.count()


@pytest.mark.parametrize("model", TENANT_OWNED, ids=lambda m: m._meta.label)
def test_indexes_and_unique_keys_lead_with_tenant(model):
    opts = model._meta
    multi_column = [i.fields for i in opts.indexes] + [
        c.fields for c in opts.constraints if isinstance(c, models.UniqueConstraint)
    ]
    assert multi_column, f"{opts.label} has no index leading with tenant"
    for fields in multi_column:
        assert fields[0] == "tenant", f"{opts.label}: index {fields} does not lead with tenant"
    assert not opts.get_field("tenant").db_index, "the tenant column alone gets no separate index"
    assert not any(f.unique for f in opts.local_fields if f.name not in ("id",)), (
        f"{opts.label}: a globally unique column would break distribution by tenant"
    )


def test_scope_shows_only_the_active_tenants_rows(cell_a, cell_b, in_scope):
    with in_scope(cell_a.tenant):
        assert list(Community.objects.all()) == [cell_a.community]
        assert list(GridCell.objects.all()) == [cell_a]
        assert not Community.objects.filter(pk=cell_b.community.pk).exists()
    with in_scope(cell_b.tenant):
        assert list(GridCell.objects.all()) == [cell_b]


def test_bureau_scope_reads_its_stations(bureau, community_a, community_b, in_scope):
    with in_scope(bureau):
        assert set(Community.objects.all()) == {community_a, community_b}


def test_related_managers_are_scoped_too(cell_a, in_scope):
    community = cell_a.community
    with pytest.raises(ScopeError):
        list(community.grid_cells.all())
    with in_scope(cell_a.tenant):
        assert list(community.grid_cells.all()) == [cell_a]


@pytest.mark.django_db
def test_grid_cell_must_share_its_communitys_station(station_a, station_b):
    from django.core.exceptions import ValidationError

    with scopes_disabled():
        community = CommunityFactory(tenant=station_a)
        cell = GridCell(
            tenant=station_b, community=community, code="X-1", name="x", boundary=community.boundary
        )
        with pytest.raises(ValidationError) as err:
            cell.full_clean()
    assert "community" in err.value.message_dict


def test_scope_opened_by_a_task_base_class(community_a, community_b):
    from jointdefense.celery import app

    seen = []

    @app.task(name="tests.scope_probe")
    def probe(tenant_id=None):
        seen.extend(Community.objects.values_list("slug", flat=True))

    probe(tenant_id=community_a.tenant_id)
    assert seen == ["garden"]
    with pytest.raises(ScopeError):
        probe()  # no tenant given: the task cannot read any station's rows
