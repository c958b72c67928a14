"""E-mails about shifts, prepared for the beat tasks of patrols.tasks:

* reminders: an e-mail to each active sign-up ``PATROL_REMINDER_MINUTES`` before the shift;
* end-of-shift alerts: once a shift has ended, an e-mail to the leaders of its team when
  checkpoints were missed or fewer people came than needed (who came: patrols with at least one
  counted check-in).

Every e-mail has a key (shift and person); the task hands each to core's ``send_email``, which
sends each key once (EmailDelivery), however often a task is retried or two beats fire. Each
sweep does a fixed number of queries per run for the whole platform.
"""

import datetime
from typing import Any

from django.conf import settings
from django.db.models import CharField, Exists, OuterRef, Value
from django.db.models.functions import Cast, Concat
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django_scopes import scopes_disabled

from jointdefense.core.models import EmailDelivery
from jointdefense.tenancy.models import Tenant
from teams.models import TeamMember, Volunteer

from ..models import CheckIn, Checkpoint, Shift, Signup
from ..selectors.field import CHECK_IN_GRACE
from ..selectors.hours import COUNTED

BATCH = 1000  # at most this many e-mails per run; the next run takes the rest
# alerts for shifts that ended within this time (and at least CHECK_IN_GRACE ago, so that the
# phones' offline queues have had a chance to arrive)
ALERT_LOOKBACK = datetime.timedelta(hours=24)


def _link(name: str, **kwargs: Any) -> str:
    return str(settings.PORTAL_BASE_URL).rstrip("/") + reverse(name, kwargs=kwargs)


def _render(prefix: str, context: dict[str, Any], language: str, tenant: Tenant) -> tuple[str, str]:
    with translation.override(language or tenant.default_language), timezone.override(tenant.zoneinfo):
        subject = render_to_string(f"patrols/field/email/{prefix}_subject.txt", context).strip()
        body = render_to_string(f"patrols/field/email/{prefix}_body.txt", context)
    return subject, body


def _sent_key_exists(key_expression: str) -> Exists:
    return Exists(EmailDelivery.objects.filter(key=OuterRef(key_expression), sent_at__isnull=False))


def alert_key(shift_id: int, volunteer_id: int) -> str:
    return f"patrol-shift-alert:{shift_id}:{volunteer_id}"


def shift_reminder_emails(*, now: datetime.datetime | None = None) -> tuple[int, list[dict[str, Any]]]:
    """The reminders due for each volunteer signed up for a shift that starts within
    PATROL_REMINDER_MINUTES: how many sign-ups are due, and the e-mails as ``send_email`` keyword
    arguments (key, to, subject, body; none for an account without an address). One query for
    every station (sign-ups whose reminder has not gone out)."""
    now = now or timezone.now()
    lead = datetime.timedelta(minutes=settings.PATROL_REMINDER_MINUTES)
    key = Concat(  # patrol-reminder:<shift>:<volunteer>
        Value("patrol-reminder:"),
        Cast("shift_id", CharField()),
        Value(":"),
        Cast("volunteer_id", CharField()),
        output_field=CharField(),
    )
    with scopes_disabled():  # a sweep across every station; each row names its own
        signups = list(
            Signup.objects.filter(
                withdrawn_at__isnull=True,
                shift__is_cancelled=False,
                shift__starts_at__gt=now,
                shift__starts_at__lte=now + lead,
            )
            .annotate(reminder_key=key)
            .filter(~_sent_key_exists("reminder_key"))
            .select_related("shift", "shift__route", "shift__tenant", "volunteer", "volunteer__user")
            .order_by("shift__starts_at", "pk")[:BATCH]
        )
    emails = []
    for signup in signups:
        user = signup.volunteer.user
        if not user.email:
            continue
        tenant = signup.shift.tenant
        context = {
            "shift": signup.shift,
            "volunteer": signup.volunteer,
            "tenant": tenant,
            "link": _link("patrols:my-patrol", station=tenant.slug),
        }
        subject, body = _render("reminder", context, user.language, tenant)
        emails.append({"key": signup.reminder_key, "to": [user.email], "subject": subject, "body": body})
    return len(signups), emails


def shift_end_alert_emails(*, now: datetime.datetime | None = None) -> list[dict[str, Any]]:
    """The alerts due to the leaders of a shift's team when the shift ended with checkpoints missed
    or fewer people than needed, as ``send_email`` keyword arguments. Five queries for every
    station together (one when no shift ended)."""
    now = now or timezone.now()
    with scopes_disabled():
        # 1. shifts that ended (and settled), with a team
        shifts = list(
            Shift.objects.filter(
                is_cancelled=False,
                team__isnull=False,
                ends_at__lte=now - CHECK_IN_GRACE,
                ends_at__gt=now - ALERT_LOOKBACK,
            )
            .select_related("tenant", "route", "team")
            .order_by("ends_at", "pk")[:BATCH]
        )
        if not shifts:
            return []
        shift_ids = [s.pk for s in shifts]
        # 2. the active checkpoints of their routes
        checkpoints: dict[int, list[Checkpoint]] = {}
        for cp in Checkpoint.objects.filter(
            route_id__in={s.route_id for s in shifts}, is_active=True
        ).order_by("route_id", "position"):
            checkpoints.setdefault(cp.route_id, []).append(cp)
        # 3. counted check-ins: which checkpoints were visited, and who came
        visited: dict[int, set[int]] = {}
        came: dict[int, set[int]] = {}
        for shift_id, checkpoint_id, volunteer_id in (
            CheckIn.objects.filter(patrol__shift_id__in=shift_ids, review__in=COUNTED)
            .values_list("patrol__shift_id", "checkpoint_id", "patrol__volunteer_id")
            .distinct()
        ):
            visited.setdefault(shift_id, set()).add(checkpoint_id)
            came.setdefault(shift_id, set()).add(volunteer_id)
        # 4. the leaders of the teams, with their accounts
        leaders: dict[int | None, list[Volunteer]] = {}
        for tm in TeamMember.objects.filter(
            team_id__in={s.team_id for s in shifts}, is_leader=True
        ).select_related("volunteer", "volunteer__user"):
            leaders.setdefault(tm.team_id, []).append(tm.volunteer)
        # 5. the alerts that went out already
        wanted = [alert_key(s.pk, v.pk) for s in shifts for v in leaders.get(s.team_id, [])]
        sent = set(
            EmailDelivery.objects.filter(key__in=wanted, sent_at__isnull=False).values_list("key", flat=True)
        )
    emails = []
    for shift in shifts:
        missed = [
            cp for cp in checkpoints.get(shift.route_id, []) if cp.pk not in visited.get(shift.pk, set())
        ]
        people = len(came.get(shift.pk, ()))
        if not missed and people >= shift.headcount:
            continue
        for leader in leaders.get(shift.team_id, []):
            key = alert_key(shift.pk, leader.pk)
            if key in sent or not leader.user.email:
                continue
            context = {
                "shift": shift,
                "tenant": shift.tenant,
                "leader": leader,
                "missed": missed,
                "came": people,
                "link": _link("patrols:patrol-list", station=shift.tenant.slug),
            }
            subject, body = _render("shift_alert", context, leader.user.language, shift.tenant)
            emails.append({"key": key, "to": [leader.user.email], "subject": subject, "body": body})
    return emails
