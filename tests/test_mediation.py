"""Dispute mediation: the rules of incidents.mediation, the pages, the API, the counts on the
overviews, and what a mediation volunteer may see."""

import datetime
import re

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from incidents import mediation as svc
from incidents.models import Category, Mediation, MediationParty, MediationSession, Report, ReportEvent
from teams.models import PointEntry

from .factories import UserFactory, active_volunteer


@pytest.fixture
def mediator_v(station_a, officer_a, community_a):
    """An active volunteer of station A classified for dispute mediation, with an account."""
    user = UserFactory(username="mediator_v", full_name="Mediator V")
    return active_volunteer(
        station_a,
        officer_a,
        user=user,
        full_name="Mediator V",
        roles=["mediation"],
        home_community=community_a,
    )


@pytest.fixture
def other_mediator(station_a, officer_a):
    user = UserFactory(username="mediator_w", full_name="Mediator W")
    return active_volunteer(station_a, officer_a, user=user, full_name="Mediator W", roles=["mediation"])


def open_one(station, actor, **kwargs):
    values = {"kind": "neighbours", "summary": "Water leaking from the flat above.", **kwargs}
    if "mediator_volunteer" not in values and "mediator_officer" not in values:
        values["mediator_officer"] = actor
    with scope(tenant=station):
        return svc.mediation_open(tenant=station, actor=actor, **values)


def dispute_report(station, community, slug="dispute"):
    with scope(tenant=station):
        return Report.objects.create(
            tenant=station,
            tracking_code=f"DISP{Report.objects.count():06d}",
            category=Category.objects.get(tenant=station, slug=slug),
            description="Neighbours quarrelling over parking spaces.",
            location=community.boundary.centroid,
            public_location=community.boundary.centroid,
            community=community,
        )


def count(station, model=Mediation):
    with scope(tenant=station):
        return model.objects.filter(tenant=station).count()


def refused(call, message):
    with pytest.raises(svc.MediationError) as info:
        call()
    assert message in str(info.value.message)
    return info.value


# ---- rules -------------------------------------------------------------------------------------------


def test_exactly_one_mediator_is_required(station_a, officer_a, mediator_v):
    refused(
        lambda: open_one(station_a, officer_a, mediator_officer=None),
        "Choose one mediator",
    )
    refused(
        lambda: open_one(station_a, officer_a, mediator_officer=officer_a, mediator_volunteer=mediator_v),
        "Choose one mediator",
    )
    assert count(station_a) == 0


def test_the_database_refuses_two_mediators_or_none(station_a, officer_a, mediator_v):
    with scope(tenant=station_a):
        for officer, volunteer in ((officer_a, mediator_v), (None, None)):
            with pytest.raises(IntegrityError), transaction.atomic():
                Mediation.objects.create(
                    tenant=station_a,
                    kind="family",
                    summary="x",
                    mediator_officer=officer,
                    mediator_volunteer=volunteer,
                )


def test_mediator_must_be_an_officer_or_mediation_volunteer_of_the_station(
    station_a, officer_a, officer_b, volunteer_a, patroller_a
):
    refused(lambda: open_one(station_a, officer_a, mediator_officer=officer_b), "officer of this station")
    refused(lambda: open_one(station_a, officer_a, mediator_officer=volunteer_a), "officer of this station")
    refused(lambda: open_one(station_a, officer_a, mediator_volunteer=patroller_a), "mediation role")
    assert count(station_a) == 0


def test_kind_summary_and_parties_are_checked_and_nothing_half_saved(station_a, officer_a):
    refused(lambda: open_one(station_a, officer_a, kind="war"), "kind of dispute")
    refused(lambda: open_one(station_a, officer_a, summary="  "), "what the dispute is about")
    refused(
        lambda: open_one(station_a, officer_a, parties=[("Li Si", "applicant", ""), ("", "respondent", "")]),
        "party's name",
    )
    refused(lambda: open_one(station_a, officer_a, parties=[("Li Si", "judge", "")]), "role in the dispute")
    refused(lambda: open_one(station_a, officer_a, parties=[("Li Si", "applicant", "call me")]), "phone")
    assert count(station_a) == 0 and count(station_a, MediationParty) == 0


def test_settled_needs_the_agreement_text(station_a, officer_a):
    mediation = open_one(station_a, officer_a)
    with scope(tenant=station_a):
        for status in ("settled", "partly_settled"):
            refused(
                lambda status=status: svc.mediation_record_outcome(
                    mediation=mediation, actor=officer_a, status=status, outcome="Both agreed.", agreement=" "
                ),
                "text of the agreement",
            )
        refused(
            lambda: svc.mediation_record_outcome(
                mediation=mediation, actor=officer_a, status="referred", outcome=""
            ),
            "how the mediation ended",
        )
        refused(
            lambda: svc.mediation_record_outcome(
                mediation=mediation, actor=officer_a, status="open", outcome="x"
            ),
            "Choose the outcome",
        )
        mediation.refresh_from_db()
        assert mediation.status == "open" and mediation.closed_at is None
        # and the database holds the same rule
        with pytest.raises(IntegrityError), transaction.atomic():
            Mediation.objects.filter(pk=mediation.pk).update(status="settled", closed_at=timezone.now())


def test_the_outcome_is_final(station_a, officer_a):
    mediation = open_one(station_a, officer_a)
    with scope(tenant=station_a):
        svc.mediation_record_outcome(
            mediation=mediation, actor=officer_a, status="not_settled", outcome="The respondent refused."
        )
        refused(
            lambda: svc.mediation_record_outcome(
                mediation=mediation, actor=officer_a, status="settled", outcome="x", agreement="y"
            ),
            "closed",
        )
        refused(
            lambda: svc.mediation_session_add(
                mediation=mediation, actor=officer_a, held_at=timezone.now(), place="Community office"
            ),
            "closed",
        )
        refused(
            lambda: svc.mediation_party_add(mediation=mediation, actor=officer_a, name="A", role="other"),
            "closed",
        )
        mediation.refresh_from_db()
    assert mediation.status == "not_settled" and count(station_a, MediationSession) == 0


def test_session_rules(station_a, officer_a, mediator_v, other_mediator):
    mediation = open_one(station_a, officer_a, mediator_volunteer=mediator_v)
    with scope(tenant=station_a):
        refused(
            lambda: svc.mediation_session_add(
                mediation=mediation,
                actor=officer_a,
                held_at=timezone.now() + datetime.timedelta(days=2),
                place="Office",
            ),
            "after it was held",
        )
        refused(
            lambda: svc.mediation_session_add(
                mediation=mediation, actor=officer_a, held_at=timezone.now(), place=""
            ),
            "where it was held",
        )
        refused(
            lambda: svc.mediation_session_add(
                mediation=mediation, actor=other_mediator.user, held_at=timezone.now(), place="Office"
            ),
            "Only the mediator",
        )
        svc.mediation_session_add(
            mediation=mediation, actor=mediator_v.user, held_at=timezone.now(), place="Community office"
        )
    assert count(station_a, MediationSession) == 1


def test_a_volunteer_mediator_earns_points_once_when_settled(station_a, officer_a, mediator_v):
    mediation = open_one(station_a, officer_a, mediator_volunteer=mediator_v)
    with scope(tenant=station_a):
        _m, entry = svc.mediation_record_outcome(
            mediation=mediation,
            actor=officer_a,
            status="settled",
            outcome="Both signed.",
            agreement="The upstairs owner repairs the pipe by Friday and pays 300 yuan.",
        )
        assert entry is not None and entry.contribution == "dispute_settled" and entry.points > 0
        refused(
            lambda: svc.mediation_record_outcome(
                mediation=mediation, actor=officer_a, status="settled", outcome="again", agreement="again"
            ),
            "closed",
        )
        # a retried award with the same key changes nothing
        from teams.services.points import points_award

        again, created = points_award(
            tenant=station_a,
            volunteer=mediator_v,
            kind="dispute_settled",
            idempotency_key=f"mediation:{mediation.pk}:settled",
        )
        assert not created and again.pk == entry.pk
        assert PointEntry.objects.filter(tenant=station_a, volunteer=mediator_v).count() == 1
        # not settled: no points
        other = svc.mediation_open(
            tenant=station_a, actor=officer_a, kind="family", summary="x", mediator_volunteer=mediator_v
        )
        _m, none = svc.mediation_record_outcome(
            mediation=other, actor=officer_a, status="referred", outcome="Referred to the district court."
        )
        assert none is None
        assert PointEntry.objects.filter(tenant=station_a, volunteer=mediator_v).count() == 1


def test_from_a_dispute_report_and_a_settled_outcome_notes_the_report(station_a, officer_a, community_a):
    report = dispute_report(station_a, community_a)
    theft = dispute_report(station_a, community_a, slug="theft")
    refused(lambda: open_one(station_a, officer_a, report=theft), "Only a report of a dispute")
    mediation = open_one(station_a, officer_a, report=report)
    assert mediation.community == community_a
    refused(lambda: open_one(station_a, officer_a, report=report), "already has a mediation")
    with scope(tenant=station_a):
        svc.mediation_record_outcome(
            mediation=mediation,
            actor=officer_a,
            status="partly_settled",
            outcome="Parking agreed, noise not.",
            agreement="Space 12 goes to 3-201 on weekdays.",
        )
        note = ReportEvent.objects.get(tenant=station_a, report=report, kind="internal_note")
    assert not note.public and "Space 12" in note.text and note.actor == officer_a


def test_every_action_is_audited(station_a, officer_a, mediator_v):
    from jointdefense.core.models import AuditEvent

    mediation = open_one(
        station_a, officer_a, mediator_volunteer=mediator_v, parties=[("A", "applicant", "")]
    )
    with scope(tenant=station_a):
        party = mediation.parties.get()
        svc.mediation_party_edit(
            party=party, actor=officer_a, name="A B", role="applicant", phone="13800002222"
        )
        svc.mediation_session_add(
            mediation=mediation, actor=mediator_v.user, held_at=timezone.now(), place="Office"
        )
        svc.mediation_record_outcome(
            mediation=mediation, actor=officer_a, status="settled", outcome="ok", agreement="signed"
        )
        actions = set(AuditEvent.objects.filter(tenant=station_a).values_list("action", flat=True))
    assert {
        "mediation.opened",
        "mediation.party_added",
        "mediation.party_edited",
        "mediation.session_added",
        "mediation.settled",
    } <= actions


# ---- counts ------------------------------------------------------------------------------------------


def settle(station, actor, closed_at, status="settled"):
    mediation = open_one(station, actor, opened_at=closed_at - datetime.timedelta(days=3))
    with scope(tenant=station):
        svc.mediation_record_outcome(
            mediation=mediation,
            actor=actor,
            status=status,
            outcome="ok",
            agreement="signed",
            closed_at=closed_at,
        )
    return mediation


def periods(station):
    this_month, last_month, year, now = svc.settled_periods(tz=station.zoneinfo)
    return this_month, last_month, year, now


def test_disputes_settled_selectors(station_a, station_b, officer_a, officer_b):
    this_month, last_month, year, now = periods(station_a)
    settle(station_a, officer_a, now - datetime.timedelta(minutes=5))
    settle(station_a, officer_a, this_month + datetime.timedelta(hours=1), status="partly_settled")
    settle(station_a, officer_a, last_month + datetime.timedelta(hours=2))
    settle(station_a, officer_a, now - datetime.timedelta(minutes=1), status="not_settled")
    settle(station_b, officer_b, now - datetime.timedelta(minutes=5))
    with scope(tenant=station_a):
        assert svc.disputes_settled(tenant_ids=[station_a.pk], since=this_month, until=now) == 2
        assert svc.disputes_settled(tenant_ids=[station_a.pk, station_b.pk], since=this_month, until=now) == 3
        monthly = svc.disputes_settled_monthly(
            tenant_ids=[station_a.pk], since=last_month, until=now, tz=station_a.zoneinfo
        )
    assert monthly == [(last_month.date(), 1), (this_month.date(), 2)]
    summary = svc.disputes_settled_summary(tenant_ids=[station_a.pk, station_b.pk], tz=station_a.zoneinfo)
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


def shown_count(html, test_id):
    match = re.search(rf'data-testid="{test_id}">(\d+)<', html)
    assert match, f"{test_id} is not on the page"
    return int(match.group(1))


# ---- pages -------------------------------------------------------------------------------------------


def url(name, station, **kwargs):
    return reverse(f"incidents:{name}", kwargs={"station": station.slug, **kwargs})


def test_officer_opens_from_a_dispute_report_and_closes_it(
    login, station_a, officer_a, community_a, mediator_v
):
    client = login(officer_a)
    report = dispute_report(station_a, community_a)
    case = client.get(url("case", station_a, pk=report.pk)).content.decode()
    assert url("mediation-open", station_a) + f"?report={report.pk}" in case
    form = client.get(url("mediation-open", station_a) + f"?report={report.pk}")
    assert form.status_code == 200 and form.context["form"].initial["community"] == community_a.pk
    response = client.post(
        url("mediation-open", station_a),
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
    detail = client.get(url("mediation-detail", station_a, pk=mediation.pk)).content.decode()
    assert "Wang Wu" in detail and "13800003333" in detail
    # a session, then an outcome without the agreement: refused, nothing saved
    held = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    assert (
        client.post(
            url("mediation-session-add", station_a, pk=mediation.pk), {"held_at": held, "place": "Office"}
        )
    ).status_code == 302
    bad = client.post(
        url("mediation-outcome", station_a, pk=mediation.pk), {"status": "settled", "outcome": "Agreed."}
    )
    assert bad.status_code == 400 and "text of the agreement" in bad.content.decode()
    mediation.refresh_from_db()
    assert mediation.status == "open"
    ok = client.post(
        url("mediation-outcome", station_a, pk=mediation.pk),
        {"status": "settled", "outcome": "Agreed.", "agreement": "Space 12 on weekdays."},
    )
    assert ok.status_code == 302
    mediation.refresh_from_db()
    assert mediation.status == "settled" and mediation.closed_at is not None
    case = client.get(url("case", station_a, pk=report.pk)).content.decode()
    assert url("mediation-detail", station_a, pk=mediation.pk) in case


def test_open_form_refuses_with_a_message(login, station_a, officer_a):
    response = login(officer_a).post(url("mediation-open", station_a), {"kind": "family", "summary": "x"})
    assert response.status_code == 400 and count(station_a) == 0


def test_party_add_and_edit_pages(login, station_a, officer_a):
    mediation = open_one(station_a, officer_a, parties=[("A", "applicant", "")])
    client = login(officer_a)
    with scope(tenant=station_a):
        party = mediation.parties.get()
    assert (
        client.post(
            url("mediation-party-add", station_a, pk=mediation.pk), {"name": "B", "role": "respondent"}
        )
    ).status_code == 302
    bad = client.post(
        url("mediation-party-edit", station_a, pk=mediation.pk, party=party.pk),
        {"name": "A", "role": "applicant", "phone": "abc"},
    )
    assert bad.status_code == 400 and "phone number" in bad.content.decode()
    assert count(station_a, MediationParty) == 2


@pytest.mark.parametrize("size", [1, 6])
def test_list_costs_a_fixed_number_of_queries(size, login, station_a, officer_a, mediator_v, community_a):
    for n in range(size):
        if n % 2:
            open_one(station_a, officer_a, mediator_volunteer=mediator_v, community=community_a)
        else:
            open_one(station_a, officer_a)
    client = login(officer_a)
    page = url("mediation-list", station_a)
    client.get(page)
    # station, session, user, roles, the filter's choices (communities, officers, mediation volunteers),
    # count, page of mediations with community, mediators and report, the switcher's memberships
    with CaptureQueriesContext(connection) as queries:
        response = client.get(page)
    assert len(response.context["mediations"]) == size
    assert len(queries) == 10, [q["sql"] for q in queries]


@pytest.mark.parametrize("size", [1, 6])
def test_api_list_costs_a_fixed_number_of_queries(
    size, login, station_a, officer_a, django_assert_num_queries
):
    for _n in range(size):
        open_one(station_a, officer_a)
    client = login(officer_a)
    api = reverse("api:mediation-list", kwargs={"station": station_a.slug})
    client.get(api)
    # station, session, user, roles, the mediator filter's choices (officers, volunteers), count,
    # mediations with community, mediators and report
    with django_assert_num_queries(8):
        data = client.get(api).json()
    assert data["count"] == size


def test_list_filters(login, station_a, officer_a, mediator_v, community_a):
    open_one(station_a, officer_a, kind="family")
    open_one(station_a, officer_a, kind="consumer", mediator_volunteer=mediator_v, community=community_a)
    client = login(officer_a)
    page = url("mediation-list", station_a)

    def kinds(**params):
        return sorted(m.kind for m in client.get(page, params).context["mediations"])

    assert kinds() == ["consumer", "family"]
    assert kinds(kind="family") == ["family"]
    assert kinds(mediator=f"volunteer:{mediator_v.pk}") == ["consumer"]
    assert kinds(mediator=f"officer:{officer_a.pk}") == ["family"]
    assert kinds(community=community_a.pk) == ["consumer"]
    assert kinds(status="settled") == []


# ---- the mediation volunteer -------------------------------------------------------------------------


def test_volunteer_mediator_sees_and_records_only_their_own(
    login, station_a, officer_a, mediator_v, other_mediator
):
    mine = open_one(
        station_a, officer_a, mediator_volunteer=mediator_v, parties=[("Mine P", "applicant", "")]
    )
    theirs = open_one(
        station_a, officer_a, mediator_volunteer=other_mediator, parties=[("Their P", "applicant", "")]
    )
    by_officer = open_one(station_a, officer_a)
    client = login(mediator_v.user)
    listed = client.get(url("mediation-list", station_a))
    assert [m.pk for m in listed.context["mediations"]] == [mine.pk]
    assert (
        "Mediations"
        in client.get(reverse("tenancy:home", kwargs={"station": station_a.slug})).content.decode()
    )
    detail = client.get(url("mediation-detail", station_a, pk=mine.pk)).content.decode()
    assert "Mine P" in detail
    for other in (theirs, by_officer):
        assert client.get(url("mediation-detail", station_a, pk=other.pk)).status_code == 404
        assert client.get(url("mediation-session-add", station_a, pk=other.pk)).status_code == 404
    held = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        url("mediation-session-add", station_a, pk=mine.pk), {"held_at": held, "place": "Hall"}
    )
    assert response.status_code == 302 and count(station_a, MediationSession) == 1
    # the outcome, the parties and opening are the officers'
    assert client.get(url("mediation-outcome", station_a, pk=mine.pk)).status_code == 403
    assert client.get(url("mediation-party-add", station_a, pk=mine.pk)).status_code == 403
    assert client.get(url("mediation-open", station_a)).status_code == 403
    assert client.get(reverse("api:mediation-list", kwargs={"station": station_a.slug})).status_code == 403


def test_other_volunteers_see_no_mediations(login, station_a, officer_a, patroller_a):
    open_one(station_a, officer_a)
    client = login(patroller_a.user)
    assert list(client.get(url("mediation-list", station_a)).context["mediations"]) == []
    home = client.get(reverse("tenancy:home", kwargs={"station": station_a.slug})).content.decode()
    assert url("mediation-list", station_a) not in home


# ---- API ---------------------------------------------------------------------------------------------


def test_api_detail_session_and_outcome(login, station_a, officer_a, mediator_v):
    mediation = open_one(
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


# ---- demo --------------------------------------------------------------------------------------------


def test_demo_mediations_are_realistic_and_seeded_once(db):
    from django.core.management import call_command

    from jointdefense.tenancy.models import Tenant

    call_command("seed_demo", volunteers=40, reports=30, mediations=60, verbosity=0)
    station = Tenant.objects.get(slug="huayuan-road")
    with scope(tenant=station):
        rows = list(
            Mediation.objects.filter(tenant=station).values_list("pk", "status", "mediator_volunteer")
        )
        sessions = MediationSession.objects.filter(tenant=station).count()
    call_command("seed_demo", volunteers=40, reports=30, mediations=60, verbosity=0)
    with scope(tenant=station):
        assert (
            list(Mediation.objects.filter(tenant=station).values_list("pk", "status", "mediator_volunteer"))
            == rows
        )
        assert MediationSession.objects.filter(tenant=station).count() == sessions
    statuses = [status for _pk, status, _v in rows]
    assert len(rows) == 60 and sessions > 60
    assert statuses.count("settled") > len(rows) / 2 and "open" in statuses
    assert any(v for _pk, _s, v in rows) and any(v is None for _pk, _s, v in rows)
