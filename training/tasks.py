"""Celery tasks of the training app, driven by beat (see CELERY_BEAT_SCHEDULE). Thin: each task
runs a service of training.services.notices for every station, inside the station's scope, time
zone and language; the e-mails go through the outbox to core's ``send_email``, which sends each
key once however often a task is retried or two beats fire.

* ``certificate_expiry_notices``: to the holder 30 and 7 days before a certificate expires, to the
  leaders of the holder's teams once it has;
* ``session_reminders``: to each enrolled volunteer the day before a session;
* ``compliance_counts``: every 15 minutes, each active station's training compliance of today
  counted again and yesterday's closed at the end of the station's own local day
  (``services.compliance``); ``refresh_compliance_count`` does the same for one station, queued
  through the outbox after a write that changes who is compliant. Idempotent: one row per
  station and day, never moved back in time, however often either runs.

(Waiting-list promotions are told at once, by the enrolment services, after their commit.)
"""

import datetime

from celery import shared_task
from django.utils import timezone, translation
from django_scopes import scope

from jointdefense.tenancy.models import Tenant

from .services import compliance, notices


def _when(now):
    return datetime.datetime.fromisoformat(now) if now else None


def _each_station(service, now, **only):
    queued = 0
    for tenant in Tenant.objects.filter(kind=Tenant.Kind.STATION, **only).order_by("pk"):
        with (
            scope(tenant=tenant.scope_tenants()),
            timezone.override(tenant.zoneinfo),
            translation.override(tenant.default_language),
        ):
            queued += service(tenant=tenant, now=_when(now))
    return queued


@shared_task(name="training.certificate_expiry_notices", ignore_result=True)
def certificate_expiry_notices(now=None):
    """Queue the certificate expiry notices due in every station; returns how many."""
    return _each_station(notices.certificate_expiry_notices, now)


@shared_task(name="training.session_reminders", ignore_result=True)
def session_reminders(now=None):
    """Queue the reminders of tomorrow's sessions in every station; returns how many."""
    return _each_station(notices.session_reminders, now)


@shared_task(name="training.compliance_counts", ignore_result=True)
def compliance_counts(now=None):
    """Count today's training compliance of every active station again and close yesterday's;
    returns how many days were counted."""
    return _each_station(compliance.compliance_counts_keep, now, is_active=True)


@shared_task(name="training.refresh_compliance_count", ignore_result=True)
def refresh_compliance_count(*, tenant_id, now=None):
    """The same for one station (the base task restores its scope), after a change."""
    return compliance.compliance_counts_keep(tenant=Tenant.objects.get(pk=tenant_id), now=_when(now))
