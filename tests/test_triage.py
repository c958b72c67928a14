"""Officers triage reports: the queue, the status flow, assignment, public updates and internal notes,
and the reporter's contact shown only on request and logged."""

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from incidents.models import Category, ContactAccess
from incidents.services.reports import report_submit
from jointdefense.tenancy.models import Role
from tests.factories import case_action, member, report_fresh, tracking_page


@pytest.fixture
def report(station_a, community_a):
    with scope(tenant=station_a):
        point = community_a.boundary.centroid
        return report_submit(
            tenant=station_a,
            category=Category.objects.get(tenant=station_a, slug="theft"),
            description="My e-bike battery was taken in the bike shed.",
            lat=point.y,
            lng=point.x,
            contact_name="Mr Zhao",
            contact_phone="13900002222",
        )


def case(report, **kwargs):
    return reverse("incidents:case", kwargs={"station": report.tenant.slug, "pk": report.pk})


def test_queue_shows_open_reports_and_filters(login, officer_a, report, station_a):
    client = login(officer_a)
    queue = client.get(reverse("incidents:triage", kwargs={"station": station_a.slug}))
    assert queue.status_code == 200 and list(queue.context["reports"]) == [report]
    theft = Category.objects.with_scopes_disabled().get(tenant=station_a, slug="theft")
    hazard = Category.objects.with_scopes_disabled().get(tenant=station_a, slug="hazard")
    url = reverse("incidents:triage", kwargs={"station": station_a.slug})
    assert list(client.get(url, {"category": theft.pk}).context["reports"]) == [report]
    assert list(client.get(url, {"category": hazard.pk}).context["reports"]) == []
    assert list(client.get(url, {"status": "closed"}).context["reports"]) == []


def test_queue_costs_a_fixed_number_of_queries(
    login, officer_a, report, station_a, django_assert_num_queries
):
    client = login(officer_a)
    url = reverse("incidents:triage", kwargs={"station": station_a.slug})
    client.get(url)
    # station, session, user, roles, categories and communities of the filter form (2), count, page of
    # reports with category/community/assignees, the switcher's memberships
    with django_assert_num_queries(9):
        client.get(url)


def test_status_flow_with_public_messages(login, officer_a, report, anonymous):
    client = login(officer_a)
    assert case_action(client, report, "transition", to="triaged", priority="high").status_code == 302
    assert report_fresh(report).priority == "high"
    assert case_action(client, report, "transition", to="closed").status_code == 400  # not from triaged
    assert report_fresh(report).status == "triaged"
    case_action(client, report, "comment", text="We have checked the shed camera.", public="on")
    case_action(client, report, "comment", text="Neighbour in 3-201 seen near the shed.")
    page = tracking_page(anonymous, report)
    assert "We have checked the shed camera." in page
    assert "3-201" not in page  # internal notes stay internal


def test_rejection_needs_a_reason_the_reporter_sees(login, officer_a, report, anonymous):
    client = login(officer_a)
    assert case_action(client, report, "transition", to="rejected").status_code == 400
    assert report_fresh(report).status == "new"
    case_action(
        client, report, "transition", to="rejected", public_text="This is for the property management office."
    )
    assert report_fresh(report).status == "rejected"
    assert "property management office" in tracking_page(anonymous, report)


def test_assign_to_an_officer_team_or_grid_worker_of_the_station(
    login, officer_a, report, team_a, station_a, officer_b
):
    worker = member(station_a, Role.GRID_WORKER, username="grid_a")
    client = login(officer_a)
    assert (
        case_action(client, report, "assign", officer=officer_b.pk).status_code == 400
    )  # another station's officer
    assert report_fresh(report).assigned_officer is None
    response = case_action(
        client, report, "assign", officer=officer_a.pk, team=team_a.pk, grid_worker=worker.pk
    )
    assert response.status_code == 302
    assigned = report_fresh(report)
    assert (
        assigned.status,
        assigned.assigned_officer,
        assigned.assigned_team_id,
        assigned.assigned_grid_worker,
    ) == ("assigned", officer_a, team_a.pk, worker)


def test_contact_is_shown_on_request_and_each_view_is_logged(login, officer_a, report):
    client = login(officer_a)
    assert "13900002222" not in client.get(case(report)).content.decode()
    page = client.get(case(report), {"show_contact": "1"}).content.decode()
    assert "13900002222" in page
    with scopes_disabled():
        assert list(ContactAccess.objects.values_list("viewer", flat=True)) == [officer_a.pk]


def test_volunteers_and_outsiders_cannot_triage(login, volunteer_a, officer_b, report, station_a):
    assert login(volunteer_a).get(case(report)).status_code == 403
    assert login(officer_b).get(case(report)).status_code == 404
    assert (
        login(officer_b).get(reverse("incidents:triage", kwargs={"station": station_a.slug})).status_code
        == 404
    )


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


def test_public_updates_are_emailed_to_the_reporter_once_after_commit(
    login, officer_a, station_a, community_a, django_capture_on_commit_callbacks
):
    from .test_accounts import queued_messages

    with scope(tenant=station_a):
        point = community_a.boundary.centroid
        report = report_submit(
            tenant=station_a,
            category=Category.objects.get(tenant=station_a, slug="theft"),
            description="Bike stolen.",
            lat=point.y,
            lng=point.x,
            contact_email="resident@example.org",
        )
    client = login(officer_a)
    with django_capture_on_commit_callbacks(execute=True):
        case_action(client, report, "comment", text="We found your bike.", public="on")
        case_action(client, report, "comment", text="Internal: owner known to us.")
    [(task, kwargs)] = queued_messages()
    assert task == "core.send_email" and kwargs["to"] == ["resident@example.org"]
    assert "We found your bike." in kwargs["body"] and report.tracking_code in kwargs["body"]
    assert "Internal" not in kwargs["body"]
