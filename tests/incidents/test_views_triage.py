"""Officers triage reports: the queue, the status flow, assignment, public updates and internal notes,
and the reporter's contact shown only on request and logged."""

import html

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from incidents.models import Category, ContactAccess
from jointdefense.tenancy.models import Role
from tests.factories import (
    case_action,
    member,
    report_category,
    report_filed,
    report_fresh,
    tracking_page,
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
    # station, session, user, roles, categories, communities and grid cells of the filter form (3),
    # count, page of reports with category/community/assignees, the switcher's memberships
    with django_assert_num_queries(10):
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


@pytest.mark.parametrize("size", [3, 12])
def test_the_queue_map_shows_the_filtered_reports_in_constant_queries(
    login, officer_a, station_a, size, django_assert_max_num_queries
):
    for n in range(size):
        report_filed(station_a, dx=0.001 + n * 0.002, slug="theft" if n % 3 else "hazard")
    client = login(officer_a)
    map_url = reverse("incidents:triage-map", kwargs={"station": station_a.slug})
    with django_assert_max_num_queries(12):
        page = client.get(map_url)
    features = [f for f in page.context["map_data"]["features"] if f["properties"]["layer"] == "report"]
    assert len(features) == size
    hazard = report_category(station_a, "hazard")
    filtered = client.get(map_url, {"category": hazard.pk})
    points = [f for f in filtered.context["map_data"]["features"] if f["properties"]["layer"] == "report"]
    assert len(points) == len(range(0, size, 3))
    assert all(p["properties"]["url"].startswith(f"/s/{station_a.slug}/reports/") for p in points)


def test_officer_writes_the_public_status_note_open311_shows(login, officer_a, station_a, client):
    from tests.factories import case_action, report_filed, report_fresh

    report = report_filed(station_a)
    officer = login(officer_a)
    assert (
        f"as {report.public_id}"
        in officer.get(
            reverse("incidents:case", kwargs={"station": station_a.slug, "pk": report.pk})
        ).content.decode()
    )
    assert case_action(officer, report, "public_note", text="Repaired   on Friday.").status_code == 302
    assert report_fresh(report).public_note == "Repaired on Friday."
    answer = client.get("/open311/v2/requests.json", {"jurisdiction_id": station_a.slug}).json()
    assert [r["status_notes"] for r in answer] == ["Repaired on Friday."]
    refused = case_action(officer, report, "public_note", text="x" * 501)
    assert refused.status_code == 400
    assert report_fresh(report).public_note == "Repaired on Friday."


def test_the_grid_cell_filter_lists_the_station_s_cells_and_keeps_the_choice(
    login, officer_a, station_a, cell_a
):
    from django.forms import Select

    from jointdefense.core.forms import QuickSelect

    url = reverse("incidents:triage", kwargs={"station": station_a.slug})
    page = login(officer_a).get(url + f"?grid_cell={cell_a.pk}").content.decode()
    assert f'<option value="{cell_a.pk}" selected>{html.escape(str(cell_a))}</option>' in page
    # the same markup as Django's own select, attributes aside
    choices = [("", "---------"), (1, "a <b>"), (2, "c & d")]
    for value in (None, "2"):
        django_s = Select(choices=choices).render("g", value, {"id": "id_g"})
        quick = QuickSelect(choices=choices).render("g", value, {"id": "id_g"})
        assert "".join(django_s.split()).replace('id="id_g"', "") == "".join(quick.split()).replace(
            'id="id_g"', ""
        )
