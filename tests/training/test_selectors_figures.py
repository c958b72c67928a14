"""The training app's dashboard figure (training/selectors/figures.py): training compliance as one
SQL aggregate, against hand counts (roles, team types, courses that include others, certificates
lapsing just before or after the end of a week that crosses the change to summer time in a station
on Europe/Berlin), always the same share as the compliance page (records.compliance), in one query
however many volunteers; the figure links to that page."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from jointdefense.core.periods import Period
from jointdefense.core.registry import figures
from teams.models import Team, TeamMember
from tests.factories import CourseFactory, TeamFactory, certificate_for, training_volunteer
from training.selectors import figures as f
from training.selectors.records import compliance
from training.services.courses import course_set_includes

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
WEEK = Period.containing("week", datetime.date(2024, 3, 27), BERLIN)  # ends 1 April 00:00 CEST


def berlin_time(text):
    return datetime.datetime.fromisoformat(text).replace(tzinfo=BERLIN)


@pytest.fixture
def berlin(station_a):
    station_a.time_zone = "Europe/Berlin"
    station_a.save(update_fields=["time_zone"])
    return station_a


@pytest.fixture
def trained(berlin, officer_a, community_a):
    """Five active volunteers: patrol role (needs Basics), a mediator in a mediation group (needs
    Mediation), holding certificates issued in 2023."""
    with scopes_disabled():
        basics = CourseFactory(tenant=berlin, name="Basics", required_for_roles=["patrol"])
        advanced = CourseFactory(tenant=berlin, name="Advanced")
        mediation = CourseFactory(tenant=berlin, name="Mediation", required_for_team_types=["mediation"])
        group = TeamFactory(
            tenant=berlin, name="Mediators", type=Team.Type.MEDIATION, home_community=community_a
        )
    with scope(tenant=berlin):
        course_set_includes(course=advanced, included=[basics], actor=None)
    issued = berlin_time("2023-06-01T09:00")
    ann, ben, cai, dan, eve = (
        training_volunteer(berlin, officer_a, name) for name in ("ann", "ben", "cai", "dan", "eve")
    )
    certificate_for(ann, basics, issued_at=issued)  # compliant
    certificate_for(ben, advanced, issued_at=issued)  # compliant: Advanced includes Basics
    # lapses at 23:30 on the week's last Sunday, local time: not valid at its end
    certificate_for(cai, basics, issued_at=issued, expires_at=berlin_time("2024-03-31T23:30"))
    # lapses half an hour after the week: valid at its end
    certificate_for(dan, basics, issued_at=issued, expires_at=berlin_time("2024-04-01T00:30"))
    certificate_for(eve, basics, issued_at=issued)  # holds Basics, but her group needs Mediation
    with scope(tenant=berlin):
        TeamMember.objects.create(tenant=berlin, team=group, volunteer=eve)
    return {"ann": ann, "ben": ben, "cai": cai, "dan": dan, "eve": eve, "mediation": mediation}


def test_training_compliance_counts_whoever_holds_every_certificate_they_need(berlin, trained):
    with scope(tenant=berlin):
        assert f.compliance_share(berlin, WEEK) == Decimal(60)  # ann, ben, dan of five
        after = Period.containing("week", datetime.date(2024, 4, 3), BERLIN)
        assert f.compliance_share(berlin, after) == Decimal(40)  # dan's has lapsed too
        assert f.compliance_counts(berlin, WEEK.end) == (5, 3)


def test_the_sql_share_is_the_compliance_page_s_in_one_query(berlin, officer_a, trained):
    certificate_for(trained["eve"], trained["mediation"], issued_at=berlin_time("2024-03-01T10:00"))
    for n in range(4):
        training_volunteer(berlin, officer_a, f"extra{n}")  # holding nothing
    for when in (WEEK.end, berlin_time("2024-04-05T00:00"), timezone.now()):
        with scope(tenant=berlin):
            page = compliance(berlin, when=when)
            with CaptureQueriesContext(connection) as queries:
                total, compliant = f.compliance_counts(berlin, when)
        assert (total, compliant) == (page.total, page.compliant)
        assert len(queries) == 1
    with scope(tenant=berlin):
        assert f.compliance_counts(berlin, WEEK.end) == (9, 4)


def test_no_active_volunteer_is_no_share(berlin):
    with scope(tenant=berlin):
        assert f.compliance_share(berlin, WEEK) is None


def test_the_figure_links_to_the_compliance_page(berlin, trained, chief_a, login):
    figure = next(figure for figure in figures if figure.key == "training.compliance")
    response = login(chief_a).get(figure.link(berlin, WEEK))
    assert response.status_code == 200
    with scope(tenant=berlin):
        assert figure.compute(berlin, Period.containing("week", timezone.localdate(), BERLIN)) == Decimal(
            100 * response.context["compliance"].compliant
        ) / Decimal(response.context["compliance"].total)
