"""Celery plumbing in one place.

* ``TenantTask`` is the base class of every task (see jointdefense/celery.py). A task that works on a
  station's rows takes ``tenant_id`` as a keyword; the base class restores that tenant's scope, time
  zone and language around the run. Without it the task runs with no scope, so a tenant-owned query
  raises instead of reading every station's rows.
* ``task.enqueue_on_commit(**kwargs)`` writes the task to the transactional outbox (core.outbox) in
  the current transaction; it is published after the commit, never before, and if the broker is
  down the relay publishes it when Redis is back. Nothing is lost and the request never waits.
* Tasks are safe to run twice: their effects are keyed in the database (see ``EmailDelivery``).
"""

import contextlib
import logging
import time

import redis
from celery import shared_task
from celery.contrib.django.task import DjangoTask
from django.apps import apps
from django.conf import settings
from django.utils import timezone, translation
from django_scopes import scope

log = logging.getLogger(__name__)

# Celery imports this module (the base task class) while it configures itself, before Django's app
# registry is ready, so the modules that touch models (outbox, services) are imported when a task
# runs, not here.

BEAT_HEARTBEAT_KEY = "jointdefense:beat:heartbeat"
WORKER_HEARTBEAT_PREFIX = "jointdefense:worker:heartbeat:"  # + the worker's host name


class TenantTask(DjangoTask):
    acks_late = True

    def __call__(self, *args, **kwargs):
        tenant_id = kwargs.get("tenant_id")
        if tenant_id is None:
            return super().__call__(*args, **kwargs)
        # looked up by name: core is the bottom layer and imports no other part of the platform
        tenant = apps.get_model("tenancy", "Tenant").objects.get(pk=tenant_id)
        with (
            scope(tenant=tenant.scope_tenants()),
            timezone.override(tenant.zoneinfo),
            translation.override(tenant.default_language),
        ):
            return super().__call__(*args, **kwargs)

    def enqueue_on_commit(self, **kwargs):
        """Run this task once the surrounding transaction commits, through the outbox; kwargs only,
        JSON-serialisable."""
        from .outbox import outbox_add

        return outbox_add(self.name, kwargs)

    def enqueue_many_on_commit(self, kwargs_list: list[dict]):
        """Many runs of this task through the outbox, written in one INSERT."""
        from .outbox import outbox_add_many

        return outbox_add_many(self.name, kwargs_list)


def redis_client():
    return redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)


def worker_heartbeat_write(hostname: str) -> None:
    """A worker's "alive at": written by the worker's own timer (``jointdefense.celery``), it
    expires by itself when the worker dies without saying goodbye."""
    # Redis down: /healthz says so itself, and the timer's next round writes again
    with contextlib.suppress(redis.RedisError):
        redis_client().set(
            WORKER_HEARTBEAT_PREFIX + hostname,
            str(time.time()),
            ex=max(1, round(settings.WORKER_HEARTBEAT_MAX_AGE * 2)),  # judged by age; the key only tidies up
        )


def worker_heartbeat_clear(hostname: str) -> None:
    with contextlib.suppress(redis.RedisError):
        redis_client().delete(WORKER_HEARTBEAT_PREFIX + hostname)


def worker_heartbeats() -> dict[str, float]:
    """``{worker host name: seconds since its last heartbeat}``, of the workers alive now."""
    client = redis_client()
    keys = sorted(client.scan_iter(match=WORKER_HEARTBEAT_PREFIX + "*", count=100))
    if not keys:
        return {}
    now = time.time()
    return {
        key.decode()[len(WORKER_HEARTBEAT_PREFIX) :]: now - float(value)
        for key, value in zip(keys, client.mget(keys), strict=True)
        if value is not None
    }


@shared_task(name="core.beat_heartbeat", ignore_result=True)
def beat_heartbeat():
    """Beat runs this every 30 s; /healthz reads the time back to tell whether beat is alive."""
    redis_client().set(BEAT_HEARTBEAT_KEY, str(time.time()), ex=settings.BEAT_HEARTBEAT_MAX_AGE * 5)


@shared_task(name="core.relay_outbox", ignore_result=True)
def relay_outbox():
    """Beat runs this every few seconds: publish what the web processes could not (a broker
    outage), and forget messages published long ago."""
    from .outbox import purge_published, relay_pending

    sent = relay_pending()
    purge_published()
    return sent


@shared_task(
    name="core.send_email",
    ignore_result=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_email(
    *, key: str, to: list[str], subject: str, body: str, html_body: str | None = None, limited: bool = False
):
    """Send one email exactly once per ``key``, however often the task is delivered; ``limited``
    counts it against the recipient's daily limit (core.services.email_send_once)."""
    from .services import email_send_once

    email_send_once(key=key, to=to, subject=subject, body=body, html_body=html_body, limited=limited)


@shared_task(
    name="core.send_sms",
    ignore_result=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_sms(*, key: str, to: str, text: str):
    """Send one text message exactly once per ``key``, within the number's daily limit."""
    from .services import sms_send_once

    sms_send_once(key=key, to=to, text=text)


@shared_task(name="core.erase_delivery_recipients", ignore_result=True)
def erase_delivery_recipients():
    """Beat runs this every few hours: blank the recipients of old deliveries (idempotent)."""
    from .services import delivery_recipients_erase

    return delivery_recipients_erase()
