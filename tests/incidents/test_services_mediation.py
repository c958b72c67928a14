"""Dispute mediation: the rules of incidents.services.mediation (mediators, parties, sessions, the
final outcome, points, audit)."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_scopes import scope

from incidents.errors import MediationError
from incidents.models import Mediation, MediationParty, MediationSession, ReportEvent
from incidents.services.mediation import (
    mediation_open,
    mediation_party_add,
    mediation_party_edit,
    mediation_record_outcome,
    mediation_session_add,
)
from teams.models import PointEntry
from tests.factories import (
    dispute_report,
    mediation_count,
    mediation_opened,
)


def refused(call, message):
    with pytest.raises(MediationError) as info:
        call()
    assert message in str(info.value.message)
    return info.value


def test_exactly_one_mediator_is_required(station_a, officer_a, mediator_v):
    refused(
        lambda: mediation_opened(station_a, officer_a, mediator_officer=None),
        "Choose one mediator",
    )
    refused(
        lambda: mediation_opened(
            station_a, officer_a, mediator_officer=officer_a, mediator_volunteer=mediator_v
        ),
        "Choose one mediator",
    )
    assert mediation_count(station_a) == 0


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
    refused(
        lambda: mediation_opened(station_a, officer_a, mediator_officer=officer_b), "officer of this station"
    )
    refused(
        lambda: mediation_opened(station_a, officer_a, mediator_officer=volunteer_a),
        "officer of this station",
    )
    refused(lambda: mediation_opened(station_a, officer_a, mediator_volunteer=patroller_a), "mediation role")
    assert mediation_count(station_a) == 0


def test_kind_summary_and_parties_are_checked_and_nothing_half_saved(station_a, officer_a):
    refused(lambda: mediation_opened(station_a, officer_a, kind="war"), "kind of dispute")
    refused(lambda: mediation_opened(station_a, officer_a, summary="  "), "what the dispute is about")
    refused(
        lambda: mediation_opened(
            station_a, officer_a, parties=[("Li Si", "applicant", ""), ("", "respondent", "")]
        ),
        "party's name",
    )
    refused(
        lambda: mediation_opened(station_a, officer_a, parties=[("Li Si", "judge", "")]),
        "role in the dispute",
    )
    refused(
        lambda: mediation_opened(station_a, officer_a, parties=[("Li Si", "applicant", "call me")]), "phone"
    )
    assert mediation_count(station_a) == 0 and mediation_count(station_a, MediationParty) == 0


def test_settled_needs_the_agreement_text(station_a, officer_a):
    mediation = mediation_opened(station_a, officer_a)
    with scope(tenant=station_a):
        for status in ("settled", "partly_settled"):
            refused(
                lambda status=status: mediation_record_outcome(
                    mediation=mediation, actor=officer_a, status=status, outcome="Both agreed.", agreement=" "
                ),
                "text of the agreement",
            )
        refused(
            lambda: mediation_record_outcome(
                mediation=mediation, actor=officer_a, status="referred", outcome=""
            ),
            "how the mediation ended",
        )
        refused(
            lambda: mediation_record_outcome(
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
    mediation = mediation_opened(station_a, officer_a)
    with scope(tenant=station_a):
        mediation_record_outcome(
            mediation=mediation, actor=officer_a, status="not_settled", outcome="The respondent refused."
        )
        refused(
            lambda: mediation_record_outcome(
                mediation=mediation, actor=officer_a, status="settled", outcome="x", agreement="y"
            ),
            "closed",
        )
        refused(
            lambda: mediation_session_add(
                mediation=mediation, actor=officer_a, held_at=timezone.now(), place="Community office"
            ),
            "closed",
        )
        refused(
            lambda: mediation_party_add(mediation=mediation, actor=officer_a, name="A", role="other"),
            "closed",
        )
        mediation.refresh_from_db()
    assert mediation.status == "not_settled" and mediation_count(station_a, MediationSession) == 0


def test_session_rules(station_a, officer_a, mediator_v, other_mediator):
    mediation = mediation_opened(station_a, officer_a, mediator_volunteer=mediator_v)
    with scope(tenant=station_a):
        refused(
            lambda: mediation_session_add(
                mediation=mediation,
                actor=officer_a,
                held_at=timezone.now() + datetime.timedelta(days=2),
                place="Office",
            ),
            "after it was held",
        )
        refused(
            lambda: mediation_session_add(
                mediation=mediation, actor=officer_a, held_at=timezone.now(), place=""
            ),
            "where it was held",
        )
        refused(
            lambda: mediation_session_add(
                mediation=mediation, actor=other_mediator.user, held_at=timezone.now(), place="Office"
            ),
            "Only the mediator",
        )
        mediation_session_add(
            mediation=mediation, actor=mediator_v.user, held_at=timezone.now(), place="Community office"
        )
    assert mediation_count(station_a, MediationSession) == 1


def test_a_volunteer_mediator_earns_points_once_when_settled(station_a, officer_a, mediator_v):
    mediation = mediation_opened(station_a, officer_a, mediator_volunteer=mediator_v)
    with scope(tenant=station_a):
        _m, entry = mediation_record_outcome(
            mediation=mediation,
            actor=officer_a,
            status="settled",
            outcome="Both signed.",
            agreement="The upstairs owner repairs the pipe by Friday and pays 300 yuan.",
        )
        assert entry is not None and entry.contribution == "dispute_settled" and entry.points > 0
        refused(
            lambda: mediation_record_outcome(
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
        other = mediation_open(
            tenant=station_a, actor=officer_a, kind="family", summary="x", mediator_volunteer=mediator_v
        )
        _m, none = mediation_record_outcome(
            mediation=other, actor=officer_a, status="referred", outcome="Referred to the district court."
        )
        assert none is None
        assert PointEntry.objects.filter(tenant=station_a, volunteer=mediator_v).count() == 1


def test_from_a_dispute_report_and_a_settled_outcome_notes_the_report(station_a, officer_a, community_a):
    report = dispute_report(station_a, community_a)
    theft = dispute_report(station_a, community_a, slug="theft")
    refused(lambda: mediation_opened(station_a, officer_a, report=theft), "Only a report of a dispute")
    mediation = mediation_opened(station_a, officer_a, report=report)
    assert mediation.community == community_a
    refused(lambda: mediation_opened(station_a, officer_a, report=report), "already has a mediation")
    with scope(tenant=station_a):
        mediation_record_outcome(
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

    mediation = mediation_opened(
        station_a, officer_a, mediator_volunteer=mediator_v, parties=[("A", "applicant", "")]
    )
    with scope(tenant=station_a):
        party = mediation.parties.get()
        mediation_party_edit(party=party, actor=officer_a, name="A B", role="applicant", phone="13800002222")
        mediation_session_add(
            mediation=mediation, actor=mediator_v.user, held_at=timezone.now(), place="Office"
        )
        mediation_record_outcome(
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
