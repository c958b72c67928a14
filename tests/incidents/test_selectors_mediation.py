"""Dispute mediation counts: the disputes-settled selectors and the overview panels that show them."""

import datetime
import re

from django.urls import reverse
from django_scopes import scope

from incidents.selectors.mediation import (
    disputes_settled,
    disputes_settled_monthly,
    disputes_settled_summary,
    settled_periods,
)
from incidents.services.mediation import (
    mediation_record_outcome,
)
from tests.factories import (
    mediation_opened,
)


def settle(station, actor, closed_at, status="settled"):
    mediation = mediation_opened(station, actor, opened_at=closed_at - datetime.timedelta(days=3))
    with scope(tenant=station):
        mediation_record_outcome(
            mediation=mediation,
            actor=actor,
            status=status,
            outcome="ok",
            agreement="signed",
            closed_at=closed_at,
        )
    return mediation


def periods(station):
    this_month, last_month, year, now = settled_periods(tz=station.zoneinfo)
    return this_month, last_month, year, now


def shown_count(html, test_id):
    match = re.search(rf'data-testid="{test_id}">(\d+)<', html)
    assert match, f"{test_id} is not on the page"
    return int(match.group(1))


def test_disputes_settled_selectors(station_a, station_b, officer_a, officer_b):
    this_month, last_month, year, now = periods(station_a)
    settle(station_a, officer_a, now - datetime.timedelta(minutes=5))
    settle(station_a, officer_a, this_month + datetime.timedelta(hours=1), status="partly_settled")
    settle(station_a, officer_a, last_month + datetime.timedelta(hours=2))
    settle(station_a, officer_a, now - datetime.timedelta(minutes=1), status="not_settled")
    settle(station_b, officer_b, now - datetime.timedelta(minutes=5))
    with scope(tenant=station_a):
        assert disputes_settled(tenant_ids=[station_a.pk], since=this_month, until=now) == 2
        assert disputes_settled(tenant_ids=[station_a.pk, station_b.pk], since=this_month, until=now) == 3
        monthly = disputes_settled_monthly(
            tenant_ids=[station_a.pk], since=last_month, until=now, tz=station_a.zoneinfo
        )
    assert monthly == [(last_month.date(), 1), (this_month.date(), 2)]
    summary = disputes_settled_summary(tenant_ids=[station_a.pk, station_b.pk], tz=station_a.zoneinfo)
    expected_year = 3 if last_month >= year else 2
    assert summary[station_a.pk] == {"this_month": 2, "last_month": 1, "year": expected_year}
    assert summary[station_b.pk]["this_month"] == 1


def test_disputes_settled_on_the_station_overview(login, station_a, officer_a, volunteer_a, community_a):
    this_month, last_month, year, now = periods(station_a)
    settle(station_a, officer_a, now - datetime.timedelta(minutes=5))
    settle(station_a, officer_a, last_month + datetime.timedelta(days=1))
    home = reverse("tenancy:home", kwargs={"station": station_a.slug})
    page = login(officer_a).get(home).content.decode()
    assert shown_count(page, "disputes-this-month") == 1 and shown_count(page, "disputes-last-month") == 1
    # a volunteer does not see the station's figures
    assert 'data-testid="disputes-settled"' not in login(volunteer_a).get(home).content.decode()


def test_bureau_overview_rolls_up_disputes_settled(
    login, bureau, bureau_viewer, station_a, station_b, officer_a, officer_b
):
    _tm, _lm, _y, now = periods(station_a)
    settle(station_a, officer_a, now - datetime.timedelta(minutes=5))
    settle(station_a, officer_a, now - datetime.timedelta(minutes=4))
    settle(station_b, officer_b, now - datetime.timedelta(minutes=5))
    page = login(bureau_viewer).get(reverse("tenancy:home", kwargs={"station": bureau.slug}))
    assert shown_count(page.content.decode(), "disputes-this-month") == 3
    # the bureau's table of stations has a column of each station's disputes settled this year
    assert "Disputes settled this year</th>" in page.content.decode()
    assert {s.slug: s.disputes_settled["this_month"] for s in page.context["stations"]} == {
        "station-a": 2,
        "station-b": 1,
    }
