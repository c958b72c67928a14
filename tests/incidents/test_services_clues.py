"""Clues: a volunteer reporter's valuable clue earns points once; a resident's earns none."""

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from incidents.errors import ReportError
from incidents.models import Report
from incidents.services.clues import report_mark_clue
from teams.selectors import points as team_selectors
from tests.factories import report_filed

FLAT = "A flat rented for a week, many people at night."


def test_a_volunteers_valuable_clue_earns_points_once(login, officer_a, patroller_a, station_a, community_a):
    report = report_filed(
        station_a,
        slug="suspicious",
        description=FLAT,
        at=community_a.boundary.centroid,
        reporter=patroller_a.user,
    )
    client = login(officer_a)
    url = reverse("incidents:case", kwargs={"station": station_a.slug, "pk": report.pk})
    for _ in range(2):  # marked twice (a double click): one award
        assert client.post(url, {"action": "clue", "clue-value": "valuable"}).status_code == 302
    with scopes_disabled():
        assert team_selectors.balance(volunteer=patroller_a) == 75  # 50 × 1.5, the station's rule
        assert Report.objects.get(pk=report.pk).clue_value == "valuable"
    client.post(url, {"action": "clue", "clue-value": "case"})  # it then helped solve the case
    with scopes_disabled():
        assert team_selectors.balance(volunteer=patroller_a) == 75 + 120


def test_a_residents_clue_is_marked_without_points(login, officer_a, station_a, community_a):
    report = report_filed(station_a, slug="suspicious", description=FLAT, at=community_a.boundary.centroid)
    with scope(tenant=station_a):
        assert report_mark_clue(report=report, actor=officer_a, value="valuable") is None
        with pytest.raises(ReportError):
            report_mark_clue(report=report, actor=officer_a, value="priceless")
