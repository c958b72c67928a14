"""Helpers the training services share: cleaning a row into a domain error, who is staff, the
e-mails queued through the outbox."""

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from jointdefense.accounts.models import User
from jointdefense.core.outbox import outbox_add_many
from jointdefense.tenancy.models import Tenant
from jointdefense.tenancy.roles import STAFF, roles_for
from teams.models import Volunteer

from ..errors import TrainingError

Actor = User | None

# who may enrol, take a quiz or check in: approved volunteers take the pre-job course
ENROLLABLE = (Volunteer.Status.APPROVED, Volunteer.Status.ACTIVE)


def clean(obj: models.Model, error: type[TrainingError], exclude: list[str] | None = None) -> None:
    """``full_clean`` with the first problem raised as ``error`` (field named), so that the pages
    and the API show it like any other refusal."""
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            raise error(messages[0], field=None if field == NON_FIELD_ERRORS else field) from exc
        raise error(str(exc)) from exc


def is_staff(user: Actor, tenant: Tenant) -> bool:
    return user is not None and bool(roles_for(user, tenant) & STAFF)


def add_months(when: datetime.datetime, months: int) -> datetime.datetime:
    """``when`` plus calendar months, the day clamped to the month's length (31 Jan + 1 = 28/29 Feb)."""
    month0 = when.month - 1 + months
    year, month = when.year + month0 // 12, month0 % 12 + 1
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    days = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    return when.replace(year=year, month=month, day=min(when.day, days))


def link(tenant: Tenant, name: str, query: str = "", **kwargs: Any) -> str:
    """An absolute link for an e-mail to the training page ``name`` (training/urls.py) of the
    station, e.g. ``link(tenant, "session-detail", pk=3)``; ``query`` is added after a "?"."""
    path = reverse(f"training:{name}", kwargs={"station": tenant.slug, **kwargs})
    return str(settings.PORTAL_BASE_URL).rstrip("/") + path + (f"?{query}" if query else "")


def render_email(prefix: str, context: dict[str, Any], user: User, tenant: Tenant) -> tuple[str, str]:
    """Subject and body of templates/training/email/<prefix>_{subject,body}.txt in the person's
    language and the station's time zone."""
    with translation.override(user.language or tenant.default_language), timezone.override(tenant.zoneinfo):
        subject = render_to_string(f"training/email/{prefix}_subject.txt", context).strip()
        body = render_to_string(f"training/email/{prefix}_body.txt", context)
    return subject, body


def email(
    key: str, prefix: str, context: dict[str, Any], user: User, tenant: Tenant
) -> dict[str, Any] | None:
    """``core.send_email`` keyword arguments, or None for an account without an address."""
    if not user.email:
        return None
    subject, body = render_email(prefix, {"tenant": tenant, **context}, user, tenant)
    return {"key": key, "to": [user.email], "subject": subject, "body": body}


def queue_emails(emails: list[dict[str, Any] | None]) -> int:
    """Queue the e-mails through the outbox (published after the commit); core's ``send_email``
    sends each key once. Returns how many were queued."""
    wanted = [e for e in emails if e is not None]
    if wanted:
        outbox_add_many("core.send_email", wanted)
    return len(wanted)


def award_points(volunteer: Volunteer, key: str, reason: str) -> bool:
    """Training points for ``volunteer`` once per ``key`` (teams' points ledger). A volunteer who
    earns nothing (not active yet, e.g. on the pre-job course) or a station without a training rule
    leaves the training record as it is. Returns whether points were awarded now."""
    from teams.errors import PointsError
    from teams.models import ContributionKind
    from teams.services.points import points_award

    try:
        _entry, created = points_award(
            tenant=volunteer.tenant,
            volunteer=volunteer,
            kind=ContributionKind.TRAINING_ATTENDED,
            idempotency_key=key,
            reason=reason,
        )
    except PointsError:
        return False
    return created


def attendance_points_settle(
    volunteer: Volunteer, base_key: str, present: bool, reason: str, actor: Actor
) -> None:
    """Keep an enrolment's attendance points in step with its attendance, on teams' append-only
    ledger: present and no standing award → award (``base_key``, then ``base_key-1``, … after a
    reversal, so present → absent → present is awarded again); not present → each standing award
    is reversed once (``teams.services.points.points_reverse``, a new entry of the opposite sign).
    A reversal that would leave a negative balance (the points were spent) refuses the change."""
    from django.db.models import Exists, OuterRef, Q

    from teams.models import PointEntry
    from teams.services.points import points_reverse

    entries = list(
        PointEntry.objects.filter(tenant=volunteer.tenant_id, kind=PointEntry.Kind.AWARD)
        .filter(Q(idempotency_key=base_key) | Q(idempotency_key__startswith=f"{base_key}-"))
        .annotate(reversed=Exists(PointEntry.objects.filter(reverses=OuterRef("pk"))))
        .order_by("pk")
    )
    standing = [e for e in entries if not e.reversed]
    if present and not standing:
        award_points(volunteer, f"{base_key}-{len(entries)}" if entries else base_key, reason)
    elif not present:
        for entry in standing:
            points_reverse(entry=entry, actor=actor, reason=str(_("Training attendance corrected.")))
