"""Dispute mediation pages: opening, sessions, outcome, parties, the list and its filters, and what a
mediation volunteer may see."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from incidents.models import Mediation, MediationParty, MediationSession
from tests.factories import (
    dispute_report,
    incidents_url,
    mediation_count,
    mediation_opened,
)


def test_officer_opens_from_a_dispute_report_and_closes_it(
    login, station_a, officer_a, community_a, mediator_v
):
    client = login(officer_a)
    report = dispute_report(station_a, community_a)
    case = client.get(incidents_url("case", station_a, pk=report.pk)).content.decode()
    assert incidents_url("mediation-open", station_a) + f"?report={report.pk}" in case
    form = client.get(incidents_url("mediation-open", station_a) + f"?report={report.pk}")
    assert form.status_code == 200 and form.context["form"].initial["community"] == community_a.pk
    response = client.post(
        incidents_url("mediation-open", station_a),
        {
            "report": report.pk,
            "kind": "neighbours",
            "summary": "Parking spaces",
            "mediator": f"volunteer:{mediator_v.pk}",
            "applicant_name": "Wang Wu",
            "applicant_phone": "13800003333",
            "respondent_name": "Zhao Liu",
        },
    )
    assert response.status_code == 302
    with scope(tenant=station_a):
        mediation = Mediation.objects.get(tenant=station_a)
        assert mediation.report == report and mediation.parties.count() == 2
    detail = client.get(incidents_url("mediation-detail", station_a, pk=mediation.pk)).content.decode()
    assert "Wang Wu" in detail and "13800003333" in detail
    # a session, then an outcome without the agreement: refused, nothing saved
    held = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    assert (
        client.post(
            incidents_url("mediation-session-add", station_a, pk=mediation.pk),
            {"held_at": held, "place": "Office"},
        )
    ).status_code == 302
    bad = client.post(
        incidents_url("mediation-outcome", station_a, pk=mediation.pk),
        {"status": "settled", "outcome": "Agreed."},
    )
    assert bad.status_code == 400 and "text of the agreement" in bad.content.decode()
    mediation.refresh_from_db()
    assert mediation.status == "open"
    ok = client.post(
        incidents_url("mediation-outcome", station_a, pk=mediation.pk),
        {"status": "settled", "outcome": "Agreed.", "agreement": "Space 12 on weekdays."},
    )
    assert ok.status_code == 302
    mediation.refresh_from_db()
    assert mediation.status == "settled" and mediation.closed_at is not None
    case = client.get(incidents_url("case", station_a, pk=report.pk)).content.decode()
    assert incidents_url("mediation-detail", station_a, pk=mediation.pk) in case


def test_open_form_refuses_with_a_message(login, station_a, officer_a):
    response = login(officer_a).post(
        incidents_url("mediation-open", station_a), {"kind": "family", "summary": "x"}
    )
    assert response.status_code == 400 and mediation_count(station_a) == 0


def test_party_add_and_edit_pages(login, station_a, officer_a):
    mediation = mediation_opened(station_a, officer_a, parties=[("A", "applicant", "")])
    client = login(officer_a)
    with scope(tenant=station_a):
        party = mediation.parties.get()
    assert (
        client.post(
            incidents_url("mediation-party-add", station_a, pk=mediation.pk),
            {"name": "B", "role": "respondent"},
        )
    ).status_code == 302
    bad = client.post(
        incidents_url("mediation-party-edit", station_a, pk=mediation.pk, party=party.pk),
        {"name": "A", "role": "applicant", "phone": "abc"},
    )
    assert bad.status_code == 400 and "phone number" in bad.content.decode()
    assert mediation_count(station_a, MediationParty) == 2


@pytest.mark.parametrize("size", [1, 6])
def test_list_costs_a_fixed_number_of_queries(size, login, station_a, officer_a, mediator_v, community_a):
    for n in range(size):
        if n % 2:
            mediation_opened(station_a, officer_a, mediator_volunteer=mediator_v, community=community_a)
        else:
            mediation_opened(station_a, officer_a)
    client = login(officer_a)
    page = incidents_url("mediation-list", station_a)
    client.get(page)
    # station, session, user, roles, the filter's choices (communities, officers, mediation volunteers),
    # count, page of mediations with community, mediators and report, the switcher's memberships
    with CaptureQueriesContext(connection) as queries:
        response = client.get(page)
    assert len(response.context["mediations"]) == size
    assert len(queries) == 10, [q["sql"] for q in queries]


def test_list_filters(login, station_a, officer_a, mediator_v, community_a):
    mediation_opened(station_a, officer_a, kind="family")
    mediation_opened(
        station_a, officer_a, kind="consumer", mediator_volunteer=mediator_v, community=community_a
    )
    client = login(officer_a)
    page = incidents_url("mediation-list", station_a)

    def kinds(**params):
        return sorted(m.kind for m in client.get(page, params).context["mediations"])

    assert kinds() == ["consumer", "family"]
    assert kinds(kind="family") == ["family"]
    assert kinds(mediator=f"volunteer:{mediator_v.pk}") == ["consumer"]
    assert kinds(mediator=f"officer:{officer_a.pk}") == ["family"]
    assert kinds(community=community_a.pk) == ["consumer"]
    assert kinds(status="settled") == []


def test_volunteer_mediator_sees_and_records_only_their_own(
    login, station_a, officer_a, mediator_v, other_mediator
):
    mine = mediation_opened(
        station_a, officer_a, mediator_volunteer=mediator_v, parties=[("Mine P", "applicant", "")]
    )
    theirs = mediation_opened(
        station_a, officer_a, mediator_volunteer=other_mediator, parties=[("Their P", "applicant", "")]
    )
    by_officer = mediation_opened(station_a, officer_a)
    client = login(mediator_v.user)
    listed = client.get(incidents_url("mediation-list", station_a))
    assert [m.pk for m in listed.context["mediations"]] == [mine.pk]
    assert (
        "Mediations"
        in client.get(reverse("tenancy:home", kwargs={"station": station_a.slug})).content.decode()
    )
    detail = client.get(incidents_url("mediation-detail", station_a, pk=mine.pk)).content.decode()
    assert "Mine P" in detail
    for other in (theirs, by_officer):
        assert client.get(incidents_url("mediation-detail", station_a, pk=other.pk)).status_code == 404
        assert client.get(incidents_url("mediation-session-add", station_a, pk=other.pk)).status_code == 404
    held = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        incidents_url("mediation-session-add", station_a, pk=mine.pk), {"held_at": held, "place": "Hall"}
    )
    assert response.status_code == 302 and mediation_count(station_a, MediationSession) == 1
    # the outcome, the parties and opening are the officers'
    assert client.get(incidents_url("mediation-outcome", station_a, pk=mine.pk)).status_code == 403
    assert client.get(incidents_url("mediation-party-add", station_a, pk=mine.pk)).status_code == 403
    assert client.get(incidents_url("mediation-open", station_a)).status_code == 403
    assert client.get(reverse("api:mediation-list", kwargs={"station": station_a.slug})).status_code == 403


def test_other_volunteers_see_no_mediations(login, station_a, officer_a, patroller_a):
    mediation_opened(station_a, officer_a)
    client = login(patroller_a.user)
    assert list(client.get(incidents_url("mediation-list", station_a)).context["mediations"]) == []
    home = client.get(reverse("tenancy:home", kwargs={"station": station_a.slug})).content.decode()
    assert incidents_url("mediation-list", station_a) not in home
