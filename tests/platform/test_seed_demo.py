"""The demo station: realistic, and the same after a second run."""

import datetime

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django_scopes import scope, scopes_disabled

from jointdefense.tenancy.models import Community, GridCell, Role, Tenant


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """One demo (60 volunteers, 80 reports) for the tests that only read it: loaded in a
    transaction of the module's own, rolled back after its last test (each test's own changes roll
    back to a savepoint inside it), so no other module ever sees it."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", volunteers=60, reports=80, verbosity=0)
        yield
        transaction.set_rollback(True)


LABELS = [
    "accounts.User",
    "tenancy.Tenant",
    "tenancy.Community",
    "tenancy.GridCell",
    "tenancy.Membership",
    "core.AuditEvent",
    "teams.Volunteer",
    "teams.BackgroundReview",
    "teams.ScreeningEvent",
    "teams.Team",
    "teams.TeamMember",
    "teams.PointEntry",
    "teams.Reward",
    "teams.Redemption",
    "teams.PointRule",
    "patrols.Route",
    "patrols.Checkpoint",
    "patrols.Schedule",
    "patrols.ScheduleTeam",
    "patrols.Shift",
    "patrols.Signup",
]


def snapshot():
    rows = {}
    with scopes_disabled():
        for label in LABELS:
            model = apps.get_model(label)
            rows[label] = sorted(
                tuple(str(v) for v in row)
                for row in model.objects.values_list(*[f.attname for f in model._meta.concrete_fields])
            )
    return rows


def test_seed_demo_twice_leaves_the_same_data_and_changed_passwords_alone(db):
    call_command("seed_demo", volunteers=40, reports=15, verbosity=0)
    with scopes_disabled():
        chief = get_user_model().objects.get(username="chief")
    chief.set_password("my own secret 2026")
    chief.save()
    first = snapshot()
    call_command("seed_demo", volunteers=40, reports=15, verbosity=0)
    assert snapshot() == first
    chief.refresh_from_db()
    assert chief.check_password("my own secret 2026")


def test_demo_station_is_realistic(demo, db):
    from jointdefense.core.models import OutboxMessage

    assert not OutboxMessage.objects.exists()  # fictional residents are sent nothing
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
    # the archive holds the last weeks' summaries, with figures that are not all zero
    from jointdefense.tenancy.models import StationSummary

    with scope(tenant=station):
        archive = list(StationSummary.objects.filter(tenant=station).order_by("week_start"))
    assert len(archive) == 4
    assert [(b.week_start - a.week_start).days for a, b in zip(archive, archive[1:], strict=False)] == [
        7,
        7,
        7,
    ]
    received = archive[-1].content["figures"]["incidents.reports_received"]
    assert any(s.content["figures"]["incidents.reports_received"]["value"] for s in archive), received


def test_demo_volunteers_teams_and_points_look_like_a_real_programme(demo, db):
    from teams.models import BackgroundReview, PointEntry, Redemption, Team, Volunteer

    station = Tenant.objects.get(slug="huayuan-road")
    with scope(tenant=station):
        volunteers = list(Volunteer.objects.all())
        assert len(volunteers) == 60
        assert {v.status for v in volunteers} == set(Volunteer.Status.values)
        assert len({v.background_group_id for v in volunteers}) >= 6
        for v in volunteers:
            if v.status in ("approved", "active", "suspended"):
                assert v.background_review.result == BackgroundReview.Result.PASSED
        assert {t.type for t in Team.objects.all()} == set(Team.Type.values)
        entries = PointEntry.objects.all()
        assert entries.filter(kind="award").count() > 500
        months = {e.created_at.strftime("%Y-%m") for e in entries}
        assert len(months) >= 6  # half a year of history
        assert Redemption.objects.exists()
        chen = Volunteer.objects.get(user__username="leader.chen")
        assert chen.status == "active"
        assert chen.team_memberships.filter(is_leader=True, team__name="Huayuan Community Patrol").exists()


def test_demo_reports_span_a_year_in_every_state(demo, db):
    from incidents.models import Report, ReturnVisit

    station = Tenant.objects.get(slug="huayuan-road")
    with scope(tenant=station):
        reports = list(Report.objects.all())
        joined = [r for r in reports if r.duplicate_of_id]
        assert len(reports) - len(joined) == 80 and len(joined) == 4  # neighbours added to 1 in 20
        assert all(r.status == "merged" and r.duplicate_of.duplicate_of_id is None for r in joined)
        assert {"new", "assigned", "in_progress", "resolved", "closed", "rejected", "merged"} <= {
            r.status for r in reports
        }
        assert all(station.boundary.intersects(r.location) for r in reports)
        assert len({r.created_at.strftime("%Y-%m") for r in reports}) >= 6
        assert ReturnVisit.objects.filter(rating="satisfied").exists()


def test_demo_patrol_planning_is_realistic(demo, db):
    """Routes on every tier inside the station (community and compound routes inside their
    community), checkpoints, the brigade's four-team rotation, shifts two weeks back and four ahead,
    sign-ups within the headcount and never overlapping for one person."""
    import datetime

    from django.db.models import Count, F, Q
    from django.utils import timezone

    from patrols.models import Checkpoint, Route, Schedule, Shift, Signup

    station = Tenant.objects.get(slug="huayuan-road")
    with scope(tenant=station):
        routes = list(Route.objects.filter(tenant=station).select_related("community"))
        assert {r.tier for r in routes} == {"brigade", "community", "compound"}
        for route in routes:
            assert station.boundary.buffer(0.00001).contains(route.path)
            if route.tier != "brigade":
                assert route.community.boundary.buffer(0.00001).contains(route.path)
            assert Checkpoint.objects.filter(tenant=station, route=route).count() >= 4
        rotation = Schedule.objects.get(tenant=station, kind="rotation")
        assert rotation.rotation.count() == 4 and rotation.shifts_per_day == 3
        now = timezone.now()
        shifts = Shift.objects.filter(tenant=station)
        assert shifts.filter(starts_at__lt=now - datetime.timedelta(days=13)).exists()
        assert shifts.filter(starts_at__gt=now + datetime.timedelta(days=13)).exists()
        counted = shifts.annotate(n=Count("signups", filter=Q(signups__withdrawn_at__isnull=True)))
        assert not counted.filter(n__gt=F("headcount")).exists()
        assert counted.filter(n__gt=0).count() > counted.count() // 2
        assert counted.filter(n__lt=F("headcount"), starts_at__gt=now).exists()  # gaps to show
        by_person = {}
        for volunteer_id, start, end in Signup.objects.filter(tenant=station).values_list(
            "volunteer_id", "shift__starts_at", "shift__ends_at"
        ):
            by_person.setdefault(volunteer_id, []).append((start, end))
        for spans in by_person.values():
            spans.sort()
            assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))


def test_the_demo_dashboard_reads_a_kept_training_compliance(demo, db):
    """seed_demo counts today's and yesterday's training compliance (core.registry.kept_counts),
    so the dashboard's figure is a value read from a row (the three lapsed patrollers miss it)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from jointdefense.core.periods import Period
    from jointdefense.core.registry import figures
    from training.models import ComplianceCount

    station = Tenant.objects.get(slug="huayuan-road")
    today = timezone.localdate(timezone=station.zoneinfo)
    figure = next(f for f in figures if f.key == "training.compliance")
    with scope(tenant=station):
        counts = {c.day: c for c in ComplianceCount.objects.filter(tenant=station)}
        assert {today, today - datetime.timedelta(days=1)} <= set(counts)
        assert 0 < counts[today].compliant < counts[today].total
        with CaptureQueriesContext(connection) as queries:
            share = figure.compute(station, Period.containing("month", today, station.zoneinfo))
        assert len(queries) == 1
        assert 0 < share < 100


def test_seed_demo_refuses_outside_development_unless_asked(db, settings):
    from django.core.management.base import CommandError

    settings.DEMO_DATA_ALLOWED = False
    with scopes_disabled():
        before = get_user_model().objects.count()  # (the module's demo may be loaded)
    with pytest.raises(CommandError, match="allow-outside-development"):
        call_command("seed_demo", volunteers=10, reports=1, verbosity=0)
    with scopes_disabled():
        assert get_user_model().objects.count() == before
