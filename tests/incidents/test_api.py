"""The officers' API of the incidents app: reports (triage, assign, comment, merge), return visits and
mediations, through the same services as the pages."""

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from rest_framework.test import APIClient

from incidents.models import (
    Category,
    Report,
    ReportEvent,
    ReturnVisit,
)
from incidents.services.reports import report_submit
from incidents.services.triage import report_transition
from jointdefense.core.models import AuditEvent
from jointdefense.tenancy.models import Role
from teams.models import PointEntry
from tests.factories import mediation_opened, member, report_filed


@pytest.fixture
def api(officer_a):
    client = APIClient()
    client.force_authenticate(officer_a)
    return client


def action(report, name):
    return reverse(f"api:report-{name}", kwargs={"station": report.tenant.slug, "pk": report.pk})


def test_an_officer_triages_assigns_updates_and_resolves_through_the_api(api, officer_a, station_a, team_a):
    report = report_filed(station_a, contact_email="r@example.org")
    answer = api.post(action(report, "transition"), {"to": "triaged", "priority": "high"}, format="json")
    assert answer.status_code == 200, answer.json()
    assert answer.json()["status"] == "triaged" and answer.json()["priority"] == "high"
    answer = api.post(action(report, "assign"), {"officer": officer_a.pk, "team": team_a.pk}, format="json")
    assert answer.json()["status"] == "assigned" and answer.json()["assigned_team"] == team_a.pk
    api.post(action(report, "comment"), {"text": "Owner known to us.", "public": False}, format="json")
    answer = api.post(action(report, "comment"), {"text": "Covered today.", "public": True}, format="json")
    events = answer.json()["events"]
    assert [(e["kind"], e["public"]) for e in events][-2:] == [
        ("internal_note", False),
        ("public_update", True),
    ]
    answer = api.post(
        action(report, "transition"), {"to": "resolved", "public_text": "Fixed."}, format="json"
    )
    assert answer.json()["status"] == "resolved"
    with scopes_disabled():
        visit = ReturnVisit.objects.get(report=report)
        assert AuditEvent.objects.filter(target_id=str(report.pk), action="report.resolved").exists()
    record = api.post(
        reverse("api:returnvisit-record", kwargs={"station": station_a.slug, "pk": visit.pk}),
        {"notes": "Visited, the resident is pleased."},
        format="json",
    )
    assert record.status_code == 200 and record.json()["visited_at"]
    assert "contact_email" not in str(answer.json())


def test_refusals_say_why_and_change_nothing(api, station_a, station_b, officer_b):
    report = report_filed(station_a)
    theirs = report_filed(station_b)
    cases = [
        ("transition", {"to": "closed"}, "cannot become"),
        ("transition", {"to": "rejected"}, "why the report is rejected"),
        ("transition", {"to": "flying"}, "not a valid choice"),
        ("assign", {}, "Choose who takes the case"),
        ("assign", {"officer": officer_b.pk}, "Choose an officer of this station"),
        ("assign", {"team": 999999}, "Choose a team of this station"),
        ("comment", {"text": ""}, "may not be blank"),
        ("merge", {"into": theirs.pk}, "Choose another report of this station"),
        ("merge", {"into": report.pk}, "Choose another report of this station"),
    ]
    for name, body, message in cases:
        answer = api.post(action(report, name), body, format="json")
        assert answer.status_code == 400, (name, body)
        assert message in str(answer.json()), (name, answer.json())
    with scopes_disabled():
        fresh = Report.objects.get(pk=report.pk)
        assert (fresh.status, fresh.assigned_officer_id) == ("new", None)
        assert ReportEvent.objects.filter(report=report).count() == 1  # only "reported"


def test_merge_through_the_api(api, station_a):
    keep, again = report_filed(station_a), report_filed(station_a, dx=0.0051)
    answer = api.post(action(again, "merge"), {"into": keep.pk}, format="json")
    assert answer.status_code == 200 and answer.json()["id"] == keep.pk
    with scopes_disabled():
        assert Report.objects.get(pk=again.pk).duplicate_of_id == keep.pk


def test_volunteers_and_other_stations_cannot_act(station_a, station_b, officer_b, volunteer_a):
    report = report_filed(station_a)
    outsider, volunteer = APIClient(), APIClient()
    outsider.force_authenticate(officer_b)
    volunteer.force_authenticate(volunteer_a)
    assert outsider.post(action(report, "transition"), {"to": "triaged"}, format="json").status_code == 404
    assert volunteer.post(action(report, "transition"), {"to": "triaged"}, format="json").status_code == 403
    with scopes_disabled():
        assert Report.objects.get(pk=report.pk).status == "new"


def test_a_grid_worker_is_assigned_by_id(api, station_a):
    worker = member(station_a, Role.GRID_WORKER, username="grid_a", full_name="Grid Worker A")
    report = report_filed(station_a)
    answer = api.post(action(report, "assign"), {"grid_worker": worker.pk}, format="json")
    assert answer.status_code == 200 and answer.json()["assigned_grid_worker"] == worker.pk
    with scope(tenant=station_a):
        report_transition(report=report, actor=None, to="resolved")


@pytest.mark.parametrize("size", [1, 6])
def test_reports_api_never_carries_the_contact_and_costs_fixed_queries(
    size, login, officer_a, station_a, community_a, django_assert_num_queries
):
    with scope(tenant=station_a):
        point = community_a.boundary.centroid
        for _ in range(size):
            report_submit(
                tenant=station_a,
                category=Category.objects.get(tenant=station_a, slug="fraud"),
                description="A caller asked for a bank code.",
                lat=point.y,
                lng=point.x,
                contact_phone="13911112222",
            )
    client = login(officer_a)
    url = reverse("api:report-list", kwargs={"station": station_a.slug})
    client.get(url)
    # station, session, user, roles, count, reports with category, community and assignees
    with django_assert_num_queries(6):
        data = client.get(url).json()
    assert data["count"] == size
    assert "13911112222" not in str(data) and data["results"][0]["has_contact"] is True


@pytest.mark.parametrize("size", [1, 6])
def test_api_list_costs_a_fixed_number_of_queries(
    size, login, station_a, officer_a, django_assert_num_queries
):
    for _n in range(size):
        mediation_opened(station_a, officer_a)
    client = login(officer_a)
    api = reverse("api:mediation-list", kwargs={"station": station_a.slug})
    client.get(api)
    # station, session, user, roles, the mediator filter's choices (officers, volunteers), count,
    # mediations with community, mediators and report
    with django_assert_num_queries(8):
        data = client.get(api).json()
    assert data["count"] == size


def test_api_detail_session_and_outcome(login, station_a, officer_a, mediator_v):
    mediation = mediation_opened(
        station_a, officer_a, mediator_volunteer=mediator_v, parties=[("A", "applicant", "")]
    )
    client = login(officer_a)
    base = reverse("api:mediation-detail", kwargs={"station": station_a.slug, "pk": mediation.pk})
    detail = client.get(base).json()
    assert detail["mediator"] == "Mediator V" and detail["parties"][0]["name"] == "A"
    session = client.post(
        base + "sessions/",
        {"held_at": timezone.now().isoformat(), "place": "Office"},
        content_type="application/json",
    )
    assert session.status_code == 201 and session.json()["place"] == "Office"
    bad = client.post(
        base + "outcome/", {"status": "settled", "outcome": "ok"}, content_type="application/json"
    )
    assert bad.status_code == 400 and "agreement" in bad.json()
    ok = client.post(
        base + "outcome/",
        {"status": "settled", "outcome": "ok", "agreement": "signed"},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["status"] == "settled" and len(ok.json()["sessions"]) == 1
    again = client.post(
        base + "outcome/", {"status": "not_settled", "outcome": "x"}, content_type="application/json"
    )
    assert again.status_code == 400
    with scopes_disabled():
        assert PointEntry.objects.filter(volunteer=mediator_v).count() == 1


def test_a_residents_report_and_a_mediation_without_one_answer_as_the_schema_says(station_a, officer_a):
    """A resident's event has no actor and a mediation may have no report nor community: null, as the
    schema now says (it declared plain strings)."""
    from tests.support import answer_as_documented

    report = report_filed(station_a)
    mediation = mediation_opened(station_a, officer_a)
    answer = answer_as_documented(
        officer_a, "GET", "/api/s/{station}/reports/{id}/", station=station_a.slug, id=report.pk
    )
    assert answer.json()["events"][0]["actor"] is None
    answer = answer_as_documented(
        officer_a, "GET", "/api/s/{station}/mediations/{id}/", station=station_a.slug, id=mediation.pk
    )
    assert answer.json()["report"] is None and answer.json()["community"] is None
