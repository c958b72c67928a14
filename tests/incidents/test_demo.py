"""The incidents demo seeders (seed_demo)."""

from django_scopes import scope

from incidents.models import Mediation, MediationSession


def test_demo_mediations_are_realistic_and_seeded_once(db):
    from django.core.management import call_command

    from jointdefense.tenancy.models import Tenant

    call_command("seed_demo", volunteers=40, reports=30, mediations=60, verbosity=0)
    station = Tenant.objects.get(slug="huayuan-road")
    with scope(tenant=station):
        rows = list(
            Mediation.objects.filter(tenant=station).values_list("pk", "status", "mediator_volunteer")
        )
        sessions = MediationSession.objects.filter(tenant=station).count()
    call_command("seed_demo", volunteers=40, reports=30, mediations=60, verbosity=0)
    with scope(tenant=station):
        assert (
            list(Mediation.objects.filter(tenant=station).values_list("pk", "status", "mediator_volunteer"))
            == rows
        )
        assert MediationSession.objects.filter(tenant=station).count() == sessions
    statuses = [status for _pk, status, _v in rows]
    assert len(rows) == 60 and sessions > 60
    assert statuses.count("settled") > len(rows) / 2 and "open" in statuses
    assert any(v for _pk, _s, v in rows) and any(v is None for _pk, _s, v in rows)
