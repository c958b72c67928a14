"""Dispute mediation (人民调解): the writes (the reads are in selectors.mediation).

A mediation is opened by an officer, from scratch or from a resident's dispute report; it has one
mediator (an officer of the station, or an active volunteer with the mediation role), parties,
sessions, and an outcome. Recording the outcome closes it for good. A settled (or partly settled)
dispute counts on the station's overview, earns a volunteer mediator the station's points once, and
leaves an internal note on the report it came from.
"""

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jointdefense.core.services import audit
from jointdefense.tenancy.models import Community, Tenant
from teams.errors import PointsError
from teams.models import ContributionKind, PointEntry, Volunteer
from teams.services.points import points_award
from teams.validators import validate_phone

from ..errors import MediationError
from ..models import Mediation, MediationParty, MediationSession, Report
from ..selectors.mediation import (
    DISPUTE_CATEGORY,
    can_see_all,
    is_mediator,
    mediator_officers,
    mediator_volunteers,
)
from ..selectors.reports import MAX_DESCRIPTION
from . import rollups
from .triage import report_comment

M = Mediation.Status
MAX_TEXT = 2000
MAX_AGREEMENT = 4000


# ---- checks ------------------------------------------------------------------------------------------


def _check_mediator(tenant: Tenant, officer: Any, volunteer: Volunteer | None) -> None:
    if (officer is None) == (volunteer is None):
        raise MediationError(
            _("Choose one mediator: an officer or a mediation volunteer."), field="mediator", code="mediator"
        )
    if officer is not None and not mediator_officers(tenant=tenant).filter(pk=officer.pk).exists():
        raise MediationError(
            _("The mediating officer must be an officer of this station."), field="mediator", code="mediator"
        )
    if volunteer is not None and not mediator_volunteers(tenant=tenant).filter(pk=volunteer.pk).exists():
        raise MediationError(
            _("The mediating volunteer must be an active volunteer of this station with the mediation role."),
            field="mediator",
            code="mediator",
        )


def _clean_text(value: str | None, *, field: str, max_length: int, required_message: Any = None) -> str:
    value = (value or "").strip()
    if required_message and not value:
        raise MediationError(required_message, field=field, code=field)
    if len(value) > max_length:
        raise MediationError(
            _("Keep it under %(max)d characters.") % {"max": max_length}, field=field, code=field
        )
    return value


def _locked(mediation: Mediation) -> Mediation:
    return (
        Mediation.objects.select_for_update(of=("self",))
        .select_related("tenant")
        .get(pk=mediation.pk, tenant=mediation.tenant_id)
    )


def _require_open(mediation: Mediation) -> None:
    if not mediation.is_open:
        raise MediationError(
            _("This mediation is closed; its outcome is final and it cannot be changed."), code="closed"
        )


# ---- writes ------------------------------------------------------------------------------------------


@transaction.atomic
def mediation_open(
    *,
    tenant: Tenant,
    actor: Any,
    kind: str,
    summary: str,
    mediator_officer: Any = None,
    mediator_volunteer: Volunteer | None = None,
    community: Community | None = None,
    report: Report | None = None,
    parties: Iterable[tuple[str, str, str]] = (),
    opened_at: datetime.datetime | None = None,
) -> Mediation:
    """Open a mediation; ``parties`` are (name, role, phone) triples added with it."""
    if kind not in Mediation.Kind.values:
        raise MediationError(_("Choose the kind of dispute."), field="kind", code="kind")
    summary = _clean_text(
        summary, field="summary", max_length=MAX_TEXT, required_message=_("Say what the dispute is about.")
    )
    _check_mediator(tenant, mediator_officer, mediator_volunteer)
    if community is not None and community.tenant_id != tenant.pk:
        raise MediationError(_("Choose a community of this station."), field="community", code="community")
    if report is not None:
        if report.tenant_id != tenant.pk:
            raise MediationError(_("Choose a report of this station."), field="report", code="report")
        if report.category.slug != DISPUTE_CATEGORY:
            raise MediationError(
                _("Only a report of a dispute can be mediated."), field="report", code="report"
            )
        if Mediation.objects.filter(tenant=tenant, report=report).exists():
            raise MediationError(_("This report already has a mediation."), field="report", code="report")
        community = community or (report.community if report.community_id else None)
    now = timezone.now()
    opened_at = opened_at or now
    if opened_at > now + datetime.timedelta(minutes=5):
        raise MediationError(_("A mediation cannot open in the future."), field="opened_at", code="date")
    mediation = Mediation.objects.create(
        tenant=tenant,
        report=report,
        community=community,
        kind=kind,
        summary=summary,
        mediator_officer=mediator_officer,
        mediator_volunteer=mediator_volunteer,
        opened_by=actor if getattr(actor, "is_authenticated", False) else None,
        opened_at=opened_at,
    )
    rollups.apply(tenant, rollups.mediation_opened(mediation))
    for name, role, phone in parties:
        _party_create(mediation, actor, name=name, role=role, phone=phone)
    audit(
        tenant=tenant,
        actor=actor,
        action="mediation.opened",
        target=mediation,
        report=getattr(report, "pk", None),
        officer=getattr(mediator_officer, "pk", None),
        volunteer=getattr(mediator_volunteer, "pk", None),
    )
    return mediation


def _party_values(name: str, role: str, phone: str) -> tuple[str, str, str]:
    name = _clean_text(name, field="name", max_length=100, required_message=_("Give the party's name."))
    if role not in MediationParty.Role.values:
        raise MediationError(_("Choose the party's role in the dispute."), field="role", code="role")
    phone = _clean_text(phone, field="phone", max_length=30)
    if phone:
        try:
            validate_phone(phone)
        except ValidationError as err:
            raise MediationError(err.messages[0], field="phone", code="phone") from None
    return name, role, phone


def _party_create(mediation: Mediation, actor: Any, *, name: str, role: str, phone: str) -> MediationParty:
    name, role, phone = _party_values(name, role, phone)
    party = MediationParty.objects.create(
        tenant_id=mediation.tenant_id, mediation=mediation, name=name, role=role, phone=phone
    )
    audit(tenant=mediation.tenant, actor=actor, action="mediation.party_added", target=party)
    return party


@transaction.atomic
def mediation_party_add(
    *, mediation: Mediation, actor: Any, name: str, role: str, phone: str = ""
) -> MediationParty:
    mediation = _locked(mediation)
    _require_open(mediation)
    return _party_create(mediation, actor, name=name, role=role, phone=phone)


@transaction.atomic
def mediation_party_edit(
    *, party: MediationParty, actor: Any, name: str, role: str, phone: str = ""
) -> MediationParty:
    mediation = _locked(party.mediation)
    _require_open(mediation)
    party.name, party.role, party.phone = _party_values(name, role, phone)
    party.save(update_fields=["name", "role", "phone"])
    audit(tenant=mediation.tenant, actor=actor, action="mediation.party_edited", target=party)
    return party


@transaction.atomic
def mediation_session_add(
    *,
    mediation: Mediation,
    actor: Any,
    held_at: datetime.datetime | None,
    place: str,
    attendees: str = "",
    notes: str = "",
) -> MediationSession:
    """A session held with the parties, recorded by staff or by the mediator."""
    mediation = _locked(mediation)
    if not (can_see_all(actor, mediation.tenant) or is_mediator(actor, mediation)):
        raise MediationError(_("Only the mediator or an officer records sessions."), code="forbidden")
    _require_open(mediation)
    if held_at is None:
        raise MediationError(_("Say when the session was held."), field="held_at", code="held_at")
    if held_at > timezone.now() + datetime.timedelta(minutes=5):
        raise MediationError(
            _("Record a session after it was held, not before."), field="held_at", code="held_at"
        )
    if held_at < mediation.opened_at - datetime.timedelta(days=1):
        raise MediationError(
            _("The session cannot be before the mediation was opened."), field="held_at", code="held_at"
        )
    place = _clean_text(place, field="place", max_length=200, required_message=_("Say where it was held."))
    attendees = _clean_text(attendees, field="attendees", max_length=500)
    notes = _clean_text(notes, field="notes", max_length=4000)
    session = MediationSession.objects.create(
        tenant_id=mediation.tenant_id,
        mediation=mediation,
        held_at=held_at,
        place=place,
        attendees=attendees,
        notes=notes,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit(tenant=mediation.tenant, actor=actor, action="mediation.session_added", target=session)
    return session


@transaction.atomic
def mediation_record_outcome(
    *,
    mediation: Mediation,
    actor: Any,
    status: str,
    outcome: str,
    agreement: str = "",
    closed_at: datetime.datetime | None = None,
) -> tuple[Mediation, PointEntry | None]:
    """Close the mediation with its outcome (final: no reopening). Returns (mediation, point entry
    or None). Settled or partly settled needs the agreement's text."""
    mediation = _locked(mediation)
    _require_open(mediation)
    if status not in M.values or status == M.OPEN:
        raise MediationError(_("Choose the outcome of the mediation."), field="status", code="status")
    outcome = _clean_text(
        outcome,
        field="outcome",
        max_length=MAX_TEXT,
        required_message=_("Say how the mediation ended (for a referral: to whom)."),
    )
    settled = status in Mediation.SETTLED_STATUSES
    agreement = _clean_text(
        agreement,
        field="agreement",
        max_length=MAX_AGREEMENT,
        required_message=_("A settled dispute needs the text of the agreement.") if settled else None,
    )
    now = timezone.now()
    closed_at = closed_at or now
    if closed_at > now + datetime.timedelta(minutes=5) or closed_at < mediation.opened_at:
        raise MediationError(
            _("The mediation closes after it opened and not in the future."), field="closed_at", code="date"
        )
    mediation.status, mediation.outcome, mediation.agreement = status, outcome, agreement
    mediation.closed_at = closed_at
    mediation.save(update_fields=["status", "outcome", "agreement", "closed_at"])
    rollups.apply(mediation.tenant, rollups.mediation_closed(mediation))
    audit(tenant=mediation.tenant, actor=actor, action=f"mediation.{status}", target=mediation)
    entry: PointEntry | None = None
    if settled and mediation.report_id and mediation.report is not None:
        note = _("Dispute %(outcome)s by mediation #%(pk)s: %(agreement)s") % {
            "outcome": M(status).label.lower(),
            "pk": mediation.pk,
            "agreement": agreement,
        }
        report_comment(report=mediation.report, actor=actor, text=note[:MAX_DESCRIPTION], public=False)
    if settled and mediation.mediator_volunteer_id and mediation.mediator_volunteer is not None:
        try:
            with transaction.atomic():
                entry, _created = points_award(
                    tenant=mediation.tenant,
                    volunteer=mediation.mediator_volunteer,
                    kind=ContributionKind.DISPUTE_SETTLED,
                    idempotency_key=f"mediation:{mediation.pk}:settled",
                    actor=actor,
                    reason=str(mediation),
                    occurred_at=closed_at,
                )
        except PointsError:
            entry = None  # no rule, or the volunteer left: the outcome stands without points
    return mediation, entry
