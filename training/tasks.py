"""Celery tasks of the training app, driven by beat (see CELERY_BEAT_SCHEDULE). Thin: each task
runs a service of training.services.notices for every station, inside the station's scope, time
zone and language; the e-mails go through the outbox to core's ``send_email``, which sends each
key once however often a task is retried or two beats fire.

* ``certificate_expiry_notices``: to the holder 30 and 7 days before a certificate expires, to the
  leaders of the holder's teams once it has;
* ``session_reminders``: to each enrolled volunteer the day before a session.

(Waiting-list promotions are told at once, by the enrolment services, after their commit.)
"""

import datetime

from celery import shared_task
from django.utils import timezone, translation
from django_scopes import scope

from jointdefense.tenancy.models import Tenant

from .services import notices


def _when(now):
    return datetime.datetime.fromisoformat(now) if now else None


def _each_station(service, now):
    queued = 0
    for tenant in Tenant.objects.filter(kind=Tenant.Kind.STATION).order_by("pk"):
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
