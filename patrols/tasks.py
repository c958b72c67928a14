"""Background work of patrols in the field, driven by Celery beat:

* ``shift_reminders``: an e-mail to each active sign-up ``PATROL_REMINDER_MINUTES`` before the shift;
* ``shift_end_alerts``: once a shift has ended, an e-mail to the leaders of its team when
  checkpoints were missed or fewer people came than needed (who came: patrols with at least one
  counted check-in);
* ``award_patrol_points`` (queued when a patrol ends or its last flag is decided) and the sweep
  ``award_points_sweep`` that catches any the broker lost: points for patrol hours, once.

Every e-mail has a key (shift and person) and goes through core's ``send_email``, which sends
each key once (EmailDelivery), however often a task is retried or two beats fire. Each sweep does
a fixed number of queries per run for the whole platform, plus one task published per e-mail.
"""

import datetime

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import CharField, Exists, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Concat
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django_scopes import scope, scopes_disabled

from jointdefense.core.models import EmailDelivery
from jointdefense.core.tasks import send_email

from .field import CHECK_IN_GRACE, patrol_points_award, patrols_ended_after_shift
from .hours import COUNTED
from .models import CheckIn, Checkpoint, Patrol, Shift, Signup

BATCH = 1000  # at most this many e-mails or awards per run; the next run takes the rest
# alerts for shifts that ended within this time (and at least CHECK_IN_GRACE ago, so that the
# phones' offline queues have had a chance to arrive)
ALERT_LOOKBACK = datetime.timedelta(hours=24)
AWARD_LOOKBACK = datetime.timedelta(days=14)


def _link(name, **kwargs):
    return settings.PORTAL_BASE_URL.rstrip("/") + reverse(name, kwargs=kwargs)


def _render(prefix, context, language, tenant):
    with translation.override(language or tenant.default_language), timezone.override(tenant.zoneinfo):
        subject = render_to_string(f"patrols/field/email/{prefix}_subject.txt", context).strip()
        body = render_to_string(f"patrols/field/email/{prefix}_body.txt", context)
    return subject, body


def _sent_key_exists(key_expression):
    return Exists(EmailDelivery.objects.filter(key=OuterRef(key_expression), sent_at__isnull=False))


def alert_key(shift_id, volunteer_id) -> str:
    return f"patrol-shift-alert:{shift_id}:{volunteer_id}"


@shared_task(name="patrols.shift_reminders", ignore_result=True)
def shift_reminders(now=None):
    """Remind each volunteer signed up for a shift that starts within PATROL_REMINDER_MINUTES.
    One query for every station (sign-ups whose reminder has not gone out), one task per e-mail."""
    now = datetime.datetime.fromisoformat(now) if now else timezone.now()
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
        send_email.delay(key=signup.reminder_key, to=[user.email], subject=subject, body=body)
    return len(signups)


@shared_task(name="patrols.shift_end_alerts", ignore_result=True)
def shift_end_alerts(now=None):
    """Tell the leaders of a shift's team when the shift ended with checkpoints missed or fewer
    people than needed. Five queries per run for every station together, one task per e-mail."""
    from teams.models import TeamMember

    now = datetime.datetime.fromisoformat(now) if now else timezone.now()
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
            return 0
        shift_ids = [s.pk for s in shifts]
        # 2. the active checkpoints of their routes
        checkpoints: dict[int, list] = {}
        for cp in Checkpoint.objects.filter(
            route_id__in={s.route_id for s in shifts}, is_active=True
        ).order_by("route_id", "position"):
            checkpoints.setdefault(cp.route_id, []).append(cp)
        # 3. counted check-ins: which checkpoints were visited, and who came
        visited: dict[int, set] = {}
        came: dict[int, set] = {}
        for shift_id, checkpoint_id, volunteer_id in (
            CheckIn.objects.filter(patrol__shift_id__in=shift_ids, review__in=COUNTED)
            .values_list("patrol__shift_id", "checkpoint_id", "patrol__volunteer_id")
            .distinct()
        ):
            visited.setdefault(shift_id, set()).add(checkpoint_id)
            came.setdefault(shift_id, set()).add(volunteer_id)
        # 4. the leaders of the teams, with their accounts
        leaders: dict[int, list] = {}
        for tm in TeamMember.objects.filter(
            team_id__in={s.team_id for s in shifts}, is_leader=True
        ).select_related("volunteer", "volunteer__user"):
            leaders.setdefault(tm.team_id, []).append(tm.volunteer)
        # 5. the alerts that went out already
        wanted = [alert_key(s.pk, v.pk) for s in shifts for v in leaders.get(s.team_id, [])]
        sent = set(
            EmailDelivery.objects.filter(key__in=wanted, sent_at__isnull=False).values_list("key", flat=True)
        )
    queued = 0
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
            send_email.delay(key=key, to=[leader.user.email], subject=subject, body=body)
            queued += 1
    return queued


@shared_task(name="patrols.award_patrol_points", ignore_result=True)
def award_patrol_points(*, tenant_id, patrol_id):
    """Points for one ended patrol (queued after it ends or its last flag is decided). The ledger's
    idempotency key ``patrol:<id>`` makes a retry or a second delivery award nothing more."""
    patrol = (
        Patrol.objects.filter(tenant=tenant_id, pk=patrol_id)
        .select_related("route", "shift", "volunteer", "tenant")
        .first()
    )
    if patrol is not None:
        patrol_points_award(patrol=patrol)


@shared_task(name="patrols.award_points_sweep", ignore_result=True)
def award_points_sweep(now=None):
    """End the patrols nobody ended once their shift is over, then catch patrols that ended with
    nothing waiting for review and were not awarded (a lost message, a broker outage). Two queries
    to end and one to find them; the award itself writes per patrol."""
    from teams.models import PointEntry

    now = datetime.datetime.fromisoformat(now) if now else timezone.now()
    key = Concat(Value("patrol:"), Cast("pk", CharField()), output_field=CharField())
    with scopes_disabled():
        with transaction.atomic():  # patrols nobody ended: over with their shift
            patrols_ended_after_shift(now=now)
        patrols = list(
            Patrol.objects.filter(status=Patrol.Status.ENDED, ended_at__gt=now - AWARD_LOOKBACK)
            .annotate(points_key=key)
            .filter(
                ~Exists(CheckIn.objects.filter(patrol=OuterRef("pk"), review=CheckIn.Review.FLAGGED)),
                ~Exists(
                    PointEntry.objects.filter(
                        tenant=OuterRef("tenant"), idempotency_key=OuterRef("points_key")
                    )
                ),
                # at least two counted check-ins at different times: some hours to award
                Exists(
                    CheckIn.objects.filter(patrol=OuterRef("pk"), review__in=COUNTED).exclude(
                        device_time=Subquery(
                            CheckIn.objects.filter(patrol=OuterRef(OuterRef("pk")), review__in=COUNTED)
                            .order_by("device_time")
                            .values("device_time")[:1]
                        )
                    )
                ),
            )
            .select_related("route", "shift", "volunteer", "tenant")
            .order_by("ended_at")[:BATCH]
        )
    awarded = 0
    for patrol in patrols:
        with scope(tenant=patrol.tenant.scope_tenants()):
            if patrol_points_award(patrol=patrol) is not None:
                awarded += 1
    return awarded
