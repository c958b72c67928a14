"""A volunteer's valuable clue earns points once; reporters' contacts are erased after the case."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from incidents import services
from incidents.models import Category, Report
from incidents.tasks import erase_old_contacts
from teams.selectors import points as team_selectors


def submit(station, community, reporter=None, **contact):
    with scope(tenant=station):
        point = community.boundary.centroid
        return services.report_submit(
            tenant=station,
            category=Category.objects.get(tenant=station, slug="suspicious"),
            description="A flat rented for a week, many people at night.",
            lat=point.y,
            lng=point.x,
            reporter=reporter,
            **contact,
        )


def test_a_volunteers_valuable_clue_earns_points_once(login, officer_a, patroller_a, station_a, community_a):
    report = submit(station_a, community_a, reporter=patroller_a.user)
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
    report = submit(station_a, community_a)
    with scope(tenant=station_a):
        assert services.report_mark_clue(report=report, actor=officer_a, value="valuable") is None
        with pytest.raises(services.ReportError):
            services.report_mark_clue(report=report, actor=officer_a, value="priceless")


def test_contacts_are_erased_after_the_station_retention_and_the_report_stays(station_a, community_a):
    old = submit(station_a, community_a, contact_name="Ms Wu", contact_phone="13900003333")
    recent = submit(station_a, community_a, contact_phone="13900004444")
    still_open = submit(station_a, community_a, contact_phone="13900005555")
    long_ago = timezone.now() - timedelta(days=station_a.contact_retention_days + 1)
    with scopes_disabled():
        Report.objects.filter(pk=old.pk).update(status="closed", updated_at=long_ago)
        Report.objects.filter(pk=recent.pk).update(status="closed")
        Report.objects.filter(pk=still_open.pk).update(updated_at=long_ago)
    assert erase_old_contacts() == 1
    assert erase_old_contacts() == 0  # idempotent
    with scopes_disabled():
        erased = Report.objects.get(pk=old.pk)
        assert (erased.contact_name, erased.contact_phone, erased.contact_erased_at is not None) == (
            "",
            "",
            True,
        )
        assert erased.description.startswith("A flat rented")
        assert Report.objects.get(pk=recent.pk).contact_phone == "13900004444"
        assert Report.objects.get(pk=still_open.pk).contact_phone == "13900005555"
