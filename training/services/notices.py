"""The beat work of training (called by the thin tasks of training.tasks, one station at a time):

* expiry notices: an e-mail to the holder 30 and 7 days before a certificate expires, and to the
  leaders of the holder's teams when it has expired (within ``EXPIRED_LOOKBACK``); a certificate
  that a newer one of the same course outlasts is left alone (the holder renewed);
* session reminders: an e-mail the day before to each volunteer enrolled in a session.

Every e-mail has a key (certificate and threshold, or enrolment and start); the e-mails go through
the outbox to core's ``send_email``, which sends each key once however often a task is retried or
two beats fire. Keys sent already are left out, so a run does a fixed number of queries: three or
four (expiry) and two (reminders), plus the outbox insert when something is due.
"""

import datetime
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from jointdefense.core.models import EmailDelivery
from jointdefense.tenancy.models import Tenant
from teams.models import TeamMember, Volunteer

from ..models import Certificate, Enrolment
from .common import email, link, queue_emails

NOTICE_DAYS = (30, 7)  # before expiry, to the holder
EXPIRED_LOOKBACK = datetime.timedelta(days=7)  # expired within this: the leaders are told
REMINDER_LEAD = datetime.timedelta(hours=24)  # the day before
BATCH = 1000  # at most this many e-mails per run and station; the next run takes the rest
NOTIFIED = (Volunteer.Status.APPROVED, Volunteer.Status.ACTIVE)


def expiry_key(certificate_id: int, days: int) -> str:
    return f"training-expiry:{certificate_id}:{days}"


def expired_key(certificate_id: int, leader_id: int) -> str:
    return f"training-expired:{certificate_id}:{leader_id}"


def reminder_key(enrolment: Enrolment) -> str:
    return f"training-reminder:{enrolment.pk}:{enrolment.session.starts_at:%Y%m%d%H%M}"


def _sent(keys: list[str]) -> set[str]:
    if not keys:
        return set()
    return set(
        EmailDelivery.objects.filter(key__in=keys, sent_at__isnull=False).values_list("key", flat=True)
    )


def _threshold(expires_at: datetime.datetime, now: datetime.datetime) -> int | None:
    """0 when expired, else the smallest notice threshold (days) it is within."""
    if expires_at <= now:
        return 0
    for days in sorted(NOTICE_DAYS):
        if expires_at <= now + datetime.timedelta(days=days):
            return days
    return None


def certificate_expiry_notices(*, tenant: Tenant, now: datetime.datetime | None = None) -> int:
    """Queue the expiry notices due in ``tenant``; returns how many e-mails were queued."""
    now = now or timezone.now()
    newer = Certificate.objects.filter(
        tenant=tenant,
        course=OuterRef("course_id"),
        volunteer=OuterRef("volunteer_id"),
        revoked_at__isnull=True,
        issued_at__lte=now,
    ).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=OuterRef("expires_at")))
    # 1. certificates expiring within the longest threshold or expired lately, not renewed
    certificates = list(
        Certificate.objects.filter(
            tenant=tenant,
            revoked_at__isnull=True,
            expires_at__gt=now - EXPIRED_LOOKBACK,
            expires_at__lte=now + datetime.timedelta(days=max(NOTICE_DAYS)),
            volunteer__status__in=NOTIFIED,
        )
        .filter(~Exists(newer))
        .select_related("course", "volunteer", "volunteer__user")
        .order_by("expires_at", "pk")[:BATCH]
    )
    if not certificates:
        return 0
    expired = [c for c in certificates if c.expires_at is not None and c.expires_at <= now]
    # 2. the teams of those whose certificate expired
    leaders: dict[int, list[Volunteer]] = {}
    if expired:
        pairs = TeamMember.objects.filter(
            tenant=tenant, team__is_active=True, volunteer_id__in={c.volunteer_id for c in expired}
        ).values_list("team_id", "volunteer_id")
        holder_teams: dict[int, set[int]] = {}
        for team_id, holder_id in pairs:
            holder_teams.setdefault(holder_id, set()).add(team_id)
        # 3. the leaders of those teams
        team_leaders: dict[int, list[Volunteer]] = {}
        for tm in TeamMember.objects.filter(
            tenant=tenant, is_leader=True, team_id__in={t for ts in holder_teams.values() for t in ts}
        ).select_related("volunteer", "volunteer__user"):
            team_leaders.setdefault(tm.team_id, []).append(tm.volunteer)
        for holder_id, team_ids in holder_teams.items():
            seen: dict[int, Volunteer] = {}
            for team_id in sorted(team_ids):
                for leader in team_leaders.get(team_id, []):
                    if leader.pk != holder_id:
                        seen[leader.pk] = leader
            leaders[holder_id] = list(seen.values())
    wanted: list[tuple[str, str, Certificate, Volunteer]] = []  # (key, template, certificate, to)
    for certificate in certificates:
        assert certificate.expires_at is not None
        days = _threshold(certificate.expires_at, now)
        if days is None:
            continue
        if days:
            wanted.append((expiry_key(certificate.pk, days), "expiry", certificate, certificate.volunteer))
        else:
            for leader in leaders.get(certificate.volunteer_id, []):
                wanted.append((expired_key(certificate.pk, leader.pk), "expired_leader", certificate, leader))
    # 4. the notices that went out already
    sent = _sent([w[0] for w in wanted])
    emails: list[dict[str, Any] | None] = []
    for key, template, certificate, to in wanted:
        if key in sent:
            continue
        context = {
            "certificate": certificate,
            "course": certificate.course,
            "holder": certificate.volunteer,
            "recipient": to,
            "days": (certificate.expires_at - now).days + 1 if certificate.expires_at else None,
            # the holder: their training page (what is due, the next session); a leader: the
            # holder's training record
            "link": link(tenant, "my-training")
            if template == "expiry"
            else link(tenant, "volunteer-record", pk=certificate.volunteer_id),
        }
        emails.append(email(key, template, context, to.user, tenant))
    return queue_emails(emails)


def session_reminders(*, tenant: Tenant, now: datetime.datetime | None = None) -> int:
    """Queue a reminder to each volunteer enrolled in a session of ``tenant`` starting within
    ``REMINDER_LEAD``; returns how many e-mails were queued."""
    now = now or timezone.now()
    # 1. enrolments in sessions starting within a day
    enrolments = list(
        Enrolment.objects.filter(
            tenant=tenant,
            status=Enrolment.Status.ENROLLED,
            session__is_cancelled=False,
            session__starts_at__gt=now,
            session__starts_at__lte=now + REMINDER_LEAD,
        )
        .select_related("session", "session__course", "volunteer", "volunteer__user")
        .order_by("session__starts_at", "pk")[:BATCH]
    )
    # 2. the reminders that went out already
    sent = _sent([reminder_key(e) for e in enrolments])
    return queue_emails(
        [
            email(
                reminder_key(e),
                "reminder",
                {
                    "session": e.session,
                    "course": e.session.course,
                    "volunteer": e.volunteer,
                    "link": link(tenant, "session-detail", pk=e.session_id),
                },
                e.volunteer.user,
                tenant,
            )
            for e in enrolments
            if reminder_key(e) not in sent
        ]
    )
