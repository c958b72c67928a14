"""Background work of patrols, driven by Celery beat (and the outbox). Thin: each task calls a
service of patrols.services; e-mails go out one ``core.send_email`` task each, which sends each
key once however often a task is retried or two beats fire.

* ``generate_shifts``: every night, the next four weeks of shifts of every active schedule;
* ``shift_reminders``: an e-mail to each active sign-up ``PATROL_REMINDER_MINUTES`` before the shift;
* ``shift_end_alerts``: once a shift has ended short, an e-mail to the leaders of its team;
* ``award_patrol_points`` (queued when a patrol ends or its last flag is decided) and the sweep
  ``award_points_sweep`` that catches any the broker lost: points for patrol hours, once.
"""

import datetime

from celery import shared_task

from jointdefense.core.tasks import send_email

from .services.field import patrol_points_award_by_id, patrol_points_sweep
from .services.planning import GENERATE_DAYS, shifts_generate_all
from .services.reminders import shift_end_alert_emails, shift_reminder_emails


def _when(now):
    return datetime.datetime.fromisoformat(now) if now else None


@shared_task(name="patrols.generate_shifts", ignore_result=True)
def generate_shifts(days: int = GENERATE_DAYS):
    """Create the missing shifts of every active schedule for the next ``days`` local days."""
    return shifts_generate_all(days=days)


@shared_task(name="patrols.shift_reminders", ignore_result=True)
def shift_reminders(now=None):
    """Remind each volunteer signed up for a shift that starts within PATROL_REMINDER_MINUTES."""
    due, emails = shift_reminder_emails(now=_when(now))
    for email in emails:
        send_email.delay(**email)
    return due


@shared_task(name="patrols.shift_end_alerts", ignore_result=True)
def shift_end_alerts(now=None):
    """Tell the leaders of a shift's team when the shift ended with checkpoints missed or fewer
    people than needed."""
    emails = shift_end_alert_emails(now=_when(now))
    for email in emails:
        send_email.delay(**email)
    return len(emails)


@shared_task(name="patrols.award_patrol_points", ignore_result=True)
def award_patrol_points(*, tenant_id, patrol_id):
    """Points for one ended patrol (the base task restores the station's scope)."""
    patrol_points_award_by_id(tenant_id=tenant_id, patrol_id=patrol_id)


@shared_task(name="patrols.award_points_sweep", ignore_result=True)
def award_points_sweep(now=None):
    """End the patrols nobody ended, then award those whose points were never awarded."""
    return patrol_points_sweep(now=_when(now))
