"""Dispute mediation (人民调解): services (writes) and selectors (reads).

A mediation is opened by an officer, from scratch or from a resident's dispute report; it has one
mediator (an officer of the station, or an active volunteer with the mediation role), parties,
sessions, and an outcome. Recording the outcome closes it for good. A settled (or partly settled)
dispute counts on the station's overview, earns a volunteer mediator the station's points once, and
leaves an internal note on the report it came from.
"""

import datetime

from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from jointdefense.core.errors import DomainError
from jointdefense.core.services import audit

from .models import Mediation, MediationParty, MediationSession, Report
from .services import MAX_DESCRIPTION, report_comment

M = Mediation.Status
DISPUTE_CATEGORY = "dispute"
MAX_TEXT = 2000
MAX_AGREEMENT = 4000


class MediationError(DomainError):
    code = "mediation"


# ---- who may mediate ---------------------------------------------------------------------------------


def mediator_officers(*, tenant):
    """Users who may mediate as officers: the station's officers and chief."""
    from django.contrib.auth import get_user_model

    from jointdefense.tenancy.models import Membership, Role

    ids = Membership.objects.filter(
        tenant=tenant, is_active=True, roles__overlap=[Role.OFFICER, Role.CHIEF]
    ).values("user_id")
    return get_user_model().objects.filter(pk__in=ids).order_by("full_name", "pk")


def mediator_volunteers(*, tenant):
    """Active volunteers of the station classified for dispute mediation."""
    from teams.models import Volunteer, VolunteerRole

    return Volunteer.objects.filter(
        tenant=tenant, status=Volunteer.Status.ACTIVE, roles__contains=[VolunteerRole.MEDIATION]
    ).order_by("full_name", "pk")


def volunteer_mediator_for(*, user, tenant):
    """The user's mediation volunteer record in this station, or None. Cached on the user object for
    the request (like accounts.roles.roles_for): the navigation, the list, the detail page and the
    session check all ask."""
    if not getattr(user, "is_authenticated", False):
        return None
    cache = user.__dict__.setdefault("_mediation_volunteer", {})
    if tenant.pk not in cache:
        cache[tenant.pk] = mediator_volunteers(tenant=tenant).filter(user=user).first()
    return cache[tenant.pk]


def _check_mediator(tenant, officer, volunteer):
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


def _clean_text(value, *, field, max_length, required_message=None):
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


def _require_open(mediation):
    if not mediation.is_open:
        raise MediationError(
            _("This mediation is closed; its outcome is final and it cannot be changed."), code="closed"
        )


# ---- writes ------------------------------------------------------------------------------------------


@transaction.atomic
def mediation_open(
    *,
    tenant,
    actor,
    kind: str,
    summary: str,
    mediator_officer=None,
    mediator_volunteer=None,
    community=None,
    report: Report | None = None,
    parties=(),
    opened_at=None,
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


def _party_values(name, role, phone):
    name = _clean_text(name, field="name", max_length=100, required_message=_("Give the party's name."))
    if role not in MediationParty.Role.values:
        raise MediationError(_("Choose the party's role in the dispute."), field="role", code="role")
    phone = _clean_text(phone, field="phone", max_length=30)
    if phone:
        from django.core.exceptions import ValidationError

        from teams.validators import validate_phone

        try:
            validate_phone(phone)
        except ValidationError as err:
            raise MediationError(err.messages[0], field="phone", code="phone") from None
    return name, role, phone


def _party_create(mediation, actor, *, name, role, phone):
    name, role, phone = _party_values(name, role, phone)
    party = MediationParty.objects.create(
        tenant_id=mediation.tenant_id, mediation=mediation, name=name, role=role, phone=phone
    )
    audit(tenant=mediation.tenant, actor=actor, action="mediation.party_added", target=party)
    return party


@transaction.atomic
def mediation_party_add(*, mediation: Mediation, actor, name: str, role: str, phone: str = ""):
    mediation = _locked(mediation)
    _require_open(mediation)
    return _party_create(mediation, actor, name=name, role=role, phone=phone)


@transaction.atomic
def mediation_party_edit(*, party: MediationParty, actor, name: str, role: str, phone: str = ""):
    mediation = _locked(party.mediation)
    _require_open(mediation)
    party.name, party.role, party.phone = _party_values(name, role, phone)
    party.save(update_fields=["name", "role", "phone"])
    audit(tenant=mediation.tenant, actor=actor, action="mediation.party_edited", target=party)
    return party


@transaction.atomic
def mediation_session_add(
    *, mediation: Mediation, actor, held_at, place: str, attendees: str = "", notes: str = ""
) -> MediationSession:
    """A session held with the parties, recorded by staff or by the mediator."""
    mediation = _locked(mediation)
    if not (can_see_all(actor, mediation.tenant) or _is_mediator(actor, mediation)):
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


def _is_mediator(user, mediation) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if mediation.mediator_officer_id:
        return mediation.mediator_officer_id == user.pk
    volunteer = volunteer_mediator_for(user=user, tenant=mediation.tenant)
    return volunteer is not None and volunteer.pk == mediation.mediator_volunteer_id


@transaction.atomic
def mediation_record_outcome(
    *, mediation: Mediation, actor, status: str, outcome: str, agreement: str = "", closed_at=None
):
    """Close the mediation with its outcome (final: no reopening). Returns (mediation, point entry
    or None). Settled or partly settled needs the agreement's text."""
    from teams.errors import PointsError
    from teams.models import ContributionKind
    from teams.services.points import points_award

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
    audit(tenant=mediation.tenant, actor=actor, action=f"mediation.{status}", target=mediation)
    entry = None
    if settled and mediation.report_id:
        note = _("Dispute %(outcome)s by mediation #%(pk)s: %(agreement)s") % {
            "outcome": M(status).label.lower(),
            "pk": mediation.pk,
            "agreement": agreement,
        }
        report_comment(report=mediation.report, actor=actor, text=note[:MAX_DESCRIPTION], public=False)
    if settled and mediation.mediator_volunteer_id:
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


# ---- reads -------------------------------------------------------------------------------------------


def mediation_list(*, tenant, user=None):
    """The mediations ``user`` may see, with what the list shows (one query). Staff (and the bureau)
    see all; a mediation volunteer sees only those they mediate; anyone else none."""
    qs = Mediation.objects.filter(tenant=tenant).select_related(
        "community", "mediator_officer", "mediator_volunteer", "report"
    )
    if user is None or can_see_all(user, tenant):
        return qs
    volunteer = volunteer_mediator_for(user=user, tenant=tenant)
    if volunteer is None:
        return qs.none()
    return qs.filter(mediator_volunteer=volunteer)


def can_see_all(user, tenant) -> bool:
    """The station's staff (``mediation.manage``): they see and may act on every mediation."""
    from jointdefense.tenancy.roles import has_station_perm

    return has_station_perm(user, tenant, "mediation.manage")


def can_see_parties(user, mediation) -> bool:
    """Parties' names and phones: for the station's staff and the mediator only."""
    return can_see_all(user, mediation.tenant) or _is_mediator(user, mediation)


def mediation_for_report(*, report):
    return Mediation.objects.filter(tenant=report.tenant_id, report=report).first()


def _settled(tenant_ids):
    return Mediation.objects.filter(tenant_id__in=list(tenant_ids), status__in=Mediation.SETTLED_STATUSES)


def disputes_settled(*, tenant_ids, since, until) -> int:
    """Disputes settled (fully or partly) with the outcome recorded in [since, until)."""
    with scopes_disabled():  # a bureau reads its stations' rows; the ids are explicit
        return _settled(tenant_ids).filter(closed_at__gte=since, closed_at__lt=until).count()


def disputes_settled_monthly(*, tenant_ids, since, until, tz) -> list[tuple[datetime.date, int]]:
    """(first day of month, disputes settled) for the months in [since, until) with any, in ``tz``."""
    with scopes_disabled():
        rows = (
            _settled(tenant_ids)
            .filter(closed_at__gte=since, closed_at__lt=until)
            .annotate(month=TruncMonth("closed_at", tzinfo=tz))
            .values("month")
            .annotate(n=Count("pk"))
            .order_by("month")
        )
        return [(row["month"].date(), row["n"]) for row in rows]


def _month_start(moment):
    return moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def settled_periods(*, tz, now=None):
    """Start of this month, last month and this year in ``tz``, and the end (now)."""
    now = (now or timezone.now()).astimezone(tz)
    this_month = _month_start(now)
    last_month = _month_start(this_month - datetime.timedelta(days=1))
    year = this_month.replace(month=1)
    return this_month, last_month, year, now


def disputes_settled_summary(*, tenant_ids, tz, now=None) -> dict[int, dict[str, int]]:
    """For each tenant: disputes settled this month, last month and this year, in one query."""
    this_month, last_month, year, now = settled_periods(tz=tz, now=now)
    with scopes_disabled():
        rows = (
            _settled(tenant_ids)
            .filter(closed_at__gte=min(year, last_month), closed_at__lte=now)
            .values("tenant_id")
            .annotate(
                this_month=Count("pk", filter=Q(closed_at__gte=this_month)),
                last_month=Count("pk", filter=Q(closed_at__gte=last_month, closed_at__lt=this_month)),
                year=Count("pk", filter=Q(closed_at__gte=year)),
            )
        )
        found = {row.pop("tenant_id"): row for row in rows}
    empty = {"this_month": 0, "last_month": 0, "year": 0}
    return {tenant_id: found.get(tenant_id, empty) for tenant_id in tenant_ids}


def may_see_mediations(user, tenant) -> bool:
    """The navigation's check: staff see every mediation; a volunteer only when classified as a
    mediation volunteer."""
    return can_see_all(user, tenant) or volunteer_mediator_for(user=user, tenant=tenant) is not None


def disputes_settled_panel(request, tenant, stations) -> dict:
    """The overview panel (core.registry.StationPanel): disputes settled this month, last month and
    this year, in one query for all ``stations``; a bureau gets the total and a column per station."""
    counts = disputes_settled_summary(tenant_ids=[s.pk for s in stations], tz=tenant.zoneinfo)
    for station in stations:
        station.disputes_settled = counts[station.pk]
    return {
        "disputes_settled": {
            key: sum(c[key] for c in counts.values()) for key in ("this_month", "last_month", "year")
        },
        "column": {
            "label": _("Disputes settled this year"),
            "values": {pk: c["year"] for pk, c in counts.items()},
        },
    }
