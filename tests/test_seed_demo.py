"""The demo station: realistic, and the same after a second run."""

from django.apps import apps
from django.core.management import call_command
from django_scopes import scope, scopes_disabled

from jointdefense.tenancy.models import Community, GridCell, Role, Tenant


def snapshot():
    rows = {}
    with scopes_disabled():
        for label in [
            "accounts.User",
            "tenancy.Tenant",
            "tenancy.Community",
            "tenancy.GridCell",
            "tenancy.Membership",
            "core.AuditEvent",
        ]:
            model = apps.get_model(label)
            rows[label] = sorted(
                tuple(str(v) for v in row)
                for row in model.objects.values_list(*[f.attname for f in model._meta.concrete_fields])
            )
    return rows


def test_seed_demo_twice_leaves_the_same_data(db):
    call_command("seed_demo", verbosity=0)
    first = snapshot()
    call_command("seed_demo", verbosity=0)
    assert snapshot() == first


def test_demo_station_is_realistic(db):
    call_command("seed_demo", verbosity=0)
    station = Tenant.objects.get(slug="huayuan-road")
    assert station.parent.slug == "jinshui-bureau"
    assert station.name_zh_hans == "花园路派出所"
    with scope(tenant=station):
        communities = list(Community.objects.all())
        assert len(communities) == 5
        for community in communities:
            assert community.name_zh_hans
            assert station.boundary.buffer(0.00001).contains(community.boundary)
            cells = list(GridCell.objects.filter(community=community))
            assert len(cells) >= 4
            assert (
                abs(sum(c.boundary.area for c in cells) - community.boundary.area)
                < community.boundary.area * 0.01
            )
        # communities do not overlap
        for i, a in enumerate(communities):
            for b in communities[i + 1 :]:
                assert a.boundary.intersection(b.boundary).area < 1e-9
        from jointdefense.tenancy.models import Membership

        roles = {r for m in Membership.objects.filter(tenant=station) for r in m.roles}
    assert {Role.CHIEF, Role.OFFICER, Role.TEAM_LEADER, Role.GRID_WORKER, Role.VOLUNTEER} <= roles
