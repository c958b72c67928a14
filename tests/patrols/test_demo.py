"""Demo past patrols: recorded through the services, realistic (hours, a few flags, some decided by
an officer, points), deterministic and idempotent."""

from django_scopes import scopes_disabled

from patrols.demo import seed_past_patrols
from patrols.models import CheckIn, Patrol
from teams.models import PointEntry
from tests.factories import UserFactory, active_volunteer


def test_demo_records_past_patrols_once(station_a, officer_a, patroller_a):
    for n in range(3):
        active_volunteer(station_a, officer_a, user=UserFactory(username=f"demo{n}"), full_name=f"Demo {n}")
    recorded = seed_past_patrols(station=station_a, officer=officer_a)
    assert recorded >= 8  # a week of evening shifts with two people each, most of them came
    with scopes_disabled():
        patrols = list(Patrol.objects.filter(tenant=station_a))
        check_ins = CheckIn.objects.filter(tenant=station_a)
        assert all(p.status == "ended" and p.ended_at > p.started_at for p in patrols)
        assert check_ins.count() >= 4 * len(patrols) * 0.8
        assert check_ins.filter(review=CheckIn.Review.OK).count() > check_ins.exclude(review="ok").count()
        assert (
            PointEntry.objects.filter(tenant=station_a, contribution="patrol_hour").count()
            >= len(patrols) // 2
        )
        before = (len(patrols), check_ins.count())
    assert seed_past_patrols(station=station_a, officer=officer_a) == 0
    with scopes_disabled():
        assert (
            Patrol.objects.filter(tenant=station_a).count(),
            CheckIn.objects.filter(tenant=station_a).count(),
        ) == before
