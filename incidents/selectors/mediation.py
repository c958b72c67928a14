"""Reads of dispute mediation: who may mediate, who sees which mediation and its parties, the lists,
and the disputes-settled counts of the station overview."""

import datetime
from collections.abc import Iterable, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from jointdefense.accounts.models import User
from jointdefense.tenancy.models import Membership, Role, Tenant
from jointdefense.tenancy.roles import has_station_perm
from teams.models import Volunteer, VolunteerRole

from ..models import Mediation, MediationParty, MediationSession, Report

DISPUTE_CATEGORY = "dispute"


# ---- who may mediate ---------------------------------------------------------------------------------


def mediator_officers(*, tenant: Tenant) -> QuerySet[User]:
    """Users who may mediate as officers: the station's officers and chief."""
    ids = Membership.objects.filter(
        tenant=tenant, is_active=True, roles__overlap=[Role.OFFICER, Role.CHIEF]
    ).values("user_id")
    return get_user_model().objects.filter(pk__in=ids).order_by("full_name", "pk")


def mediator_volunteers(*, tenant: Tenant) -> QuerySet[Volunteer]:
    """Active volunteers of the station classified for dispute mediation."""
    return Volunteer.objects.filter(
        tenant=tenant, status=Volunteer.Status.ACTIVE, roles__contains=[VolunteerRole.MEDIATION]
    ).order_by("full_name", "pk")


def mediator_choices(tenant: Tenant) -> list[tuple[str, list[tuple[str, str]]]]:
    """One choice list for both kinds of mediator: "officer:<user id>" and "volunteer:<id>" (2 queries)."""
    officers = [(f"officer:{u.pk}", u.display_name) for u in mediator_officers(tenant=tenant)]
    volunteers = [(f"volunteer:{v.pk}", v.full_name) for v in mediator_volunteers(tenant=tenant)]
    return [(_("Officers"), officers), (_("Mediation volunteers"), volunteers)]


def mediator_split(value: str | None) -> tuple[str, int | None]:
    """ "officer:12" -> ("officer", 12): the value of a choice of :func:`mediator_choices`."""
    kind, _sep, pk = (value or "").partition(":")
    return kind, int(pk) if pk.isdigit() else None


def mediator_from_choice(*, tenant: Tenant, value: str | None) -> tuple[User | None, Volunteer | None]:
    """The (officer, volunteer) a choice of :func:`mediator_choices` names; None where it names none
    of this station's mediators (the service then refuses)."""
    kind, pk = mediator_split(value)
    officer = volunteer = None
    if kind == "officer" and pk is not None:
        officer = mediator_officers(tenant=tenant).filter(pk=pk).first()
    elif kind == "volunteer" and pk is not None:
        volunteer = mediator_volunteers(tenant=tenant).filter(pk=pk).first()
    return officer, volunteer


def volunteer_mediator_for(*, user: Any, tenant: Tenant) -> Volunteer | None:
    """The user's mediation volunteer record in this station, or None. Cached on the user object for
    the request (like tenancy.roles.roles_for): the navigation, the list, the detail page and the
    session check all ask."""
    if not getattr(user, "is_authenticated", False):
        return None
    cache: dict[int, Volunteer | None] = user.__dict__.setdefault("_mediation_volunteer", {})
    if tenant.pk not in cache:
        cache[tenant.pk] = mediator_volunteers(tenant=tenant).filter(user=user).first()
    return cache[tenant.pk]


def is_mediator(user: Any, mediation: Mediation) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if mediation.mediator_officer_id:
        return bool(mediation.mediator_officer_id == user.pk)
    volunteer = volunteer_mediator_for(user=user, tenant=mediation.tenant)
    return volunteer is not None and volunteer.pk == mediation.mediator_volunteer_id


def can_see_all(user: Any, tenant: Tenant) -> bool:
    """The station's staff (``mediation.manage``): they see and may act on every mediation."""
    return has_station_perm(user, tenant, "mediation.manage")


def can_see_parties(user: Any, mediation: Mediation) -> bool:
    """Parties' names and phones: for the station's staff and the mediator only."""
    return can_see_all(user, mediation.tenant) or is_mediator(user, mediation)


def may_see_mediations(user: Any, tenant: Tenant) -> bool:
    """The navigation's check: staff see every mediation; a volunteer only when classified as a
    mediation volunteer."""
    return can_see_all(user, tenant) or volunteer_mediator_for(user=user, tenant=tenant) is not None


# ---- lists -------------------------------------------------------------------------------------------


def mediation_list(*, tenant: Tenant, user: Any = None) -> QuerySet[Mediation]:
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


def mediation_with_details(qs: QuerySet[Mediation], *, tenant: Tenant) -> QuerySet[Mediation]:
    """``qs`` with the parties and the sessions (and who recorded them) prefetched."""
    return qs.prefetch_related(
        Prefetch("parties", queryset=MediationParty.objects.filter(tenant=tenant)),
        Prefetch(
            "sessions",
            queryset=MediationSession.objects.filter(tenant=tenant).select_related("recorded_by"),
        ),
    )


def mediation_parties(mediation: Mediation) -> QuerySet[MediationParty]:
    """The parties of a mediation (only for who :func:`can_see_parties`)."""
    return mediation.parties.all()


def mediation_sessions(mediation: Mediation) -> QuerySet[MediationSession]:
    """The sessions of a mediation with who recorded them."""
    return mediation.sessions.select_related("recorded_by")


def mediation_party(*, tenant: Tenant, mediation: Mediation, pk: Any) -> QuerySet[MediationParty]:
    """The party ``pk`` of ``mediation`` (a queryset, for get_object_or_404)."""
    return MediationParty.objects.filter(tenant=tenant, mediation=mediation, pk=pk)


def mediation_for_report(*, report: Report) -> Mediation | None:
    return Mediation.objects.filter(tenant=report.tenant_id, report=report).first()


def mediation_report_list(*, tenant: Tenant) -> QuerySet[Report]:
    """The station's reports a mediation can be opened from (the service checks the category)."""
    return Report.objects.filter(tenant=tenant).select_related("category", "community")


# ---- counts ------------------------------------------------------------------------------------------


def _settled(tenant_ids: Iterable[int]) -> QuerySet[Mediation]:
    return Mediation.objects.filter(tenant_id__in=list(tenant_ids), status__in=Mediation.SETTLED_STATUSES)


def disputes_settled(*, tenant_ids: Iterable[int], since: datetime.datetime, until: datetime.datetime) -> int:
    """Disputes settled (fully or partly) with the outcome recorded in [since, until)."""
    with scopes_disabled():  # a bureau reads its stations' rows; the ids are explicit
        return _settled(tenant_ids).filter(closed_at__gte=since, closed_at__lt=until).count()


def disputes_settled_monthly(
    *, tenant_ids: Iterable[int], since: datetime.datetime, until: datetime.datetime, tz: ZoneInfo
) -> list[tuple[datetime.date, int]]:
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


def _month_start(moment: datetime.datetime) -> datetime.datetime:
    return moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def settled_periods(
    *, tz: ZoneInfo, now: datetime.datetime | None = None
) -> tuple[datetime.datetime, datetime.datetime, datetime.datetime, datetime.datetime]:
    """Start of this month, last month and this year in ``tz``, and the end (now)."""
    now = (now or timezone.now()).astimezone(tz)
    this_month = _month_start(now)
    last_month = _month_start(this_month - datetime.timedelta(days=1))
    year = this_month.replace(month=1)
    return this_month, last_month, year, now


def disputes_settled_summary(
    *, tenant_ids: Sequence[int], tz: ZoneInfo, now: datetime.datetime | None = None
) -> dict[int, dict[str, int]]:
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
        found = {
            row["tenant_id"]: {
                "this_month": row["this_month"],
                "last_month": row["last_month"],
                "year": row["year"],
            }
            for row in rows
        }
    empty = {"this_month": 0, "last_month": 0, "year": 0}
    return {tenant_id: found.get(tenant_id, empty) for tenant_id in tenant_ids}


def disputes_settled_panel(
    request: HttpRequest, tenant: Tenant, stations: Sequence[Tenant]
) -> dict[str, Any]:
    """The overview panel (core.registry.StationPanel): disputes settled this month, last month and
    this year, in one query for all ``stations``; a bureau gets the total and a column per station."""
    counts = disputes_settled_summary(tenant_ids=[s.pk for s in stations], tz=tenant.zoneinfo)
    for station in stations:
        station.disputes_settled = counts[station.pk]  # type: ignore[attr-defined]  # read by the template
    return {
        "disputes_settled": {
            key: sum(c[key] for c in counts.values()) for key in ("this_month", "last_month", "year")
        },
        "column": {
            "label": _("Disputes settled this year"),
            "values": {pk: c["year"] for pk, c in counts.items()},
        },
    }
