"""The transactional outbox: how every task gets from a request (or another task) to the workers.

``outbox_add(task_name, kwargs)`` writes an :class:`OutboxMessage` inside the caller's transaction, so
the message exists if and only if the change that asked for it was committed. After the commit the
same process tries to publish it at once, so in the normal case the worker starts within
milliseconds. When the broker is down the request does not wait: the row stays pending and
``relay_pending`` (run by beat every few seconds) publishes it when Redis is back.

Relaying claims rows with ``SELECT … FOR UPDATE SKIP LOCKED``: two relays running together publish
each message once. A message can still be published twice (the broker took it, then the database
lost the connection before ``published_at`` was written); every task is idempotent for that reason.
"""

import contextlib
import contextvars
import json
import logging
import time
from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from kombu.exceptions import OperationalError

from jointdefense.celery import app

from .models import OutboxMessage

log = logging.getLogger(__name__)

RELAY_BATCH = 500
KEEP_PUBLISHED = timedelta(days=7)
# after the broker refused a message, the web process leaves publishing to the relay for a while,
# so that an outage does not add a connection timeout to every request
BACKOFF_SECONDS = 15.0
_broker_down_until = 0.0


_muted: contextvars.ContextVar[bool] = contextvars.ContextVar("outbox_muted", default=False)
_gathered: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar("outbox_gathered", default=None)


@contextlib.contextmanager
def muted():
    """Drop every message asked for inside the block: for loading demo data through the services,
    whose fictional residents and volunteers must not be sent anything."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


@contextlib.contextmanager
def relayed_together():
    """Publish the messages committed inside the block when it ends, in one relay (of
    ``RELAY_BATCH`` at a time), instead of one relay after each transaction: for a task that
    commits many small transactions, such as a batch of weekly summaries. A message whose
    transaction rolled back is not among them; one the broker refuses stays for the relay."""
    committed: list[int] = []
    token = _gathered.set(committed)
    try:
        yield
    finally:
        _gathered.reset(token)

        def relay() -> None:
            for start in range(0, len(committed), RELAY_BATCH):
                _relay_quietly(*committed[start : start + RELAY_BATCH])

        if committed:
            transaction.on_commit(relay)


def outbox_add(task_name: str, kwargs: dict) -> OutboxMessage | None:
    """Record a task to run once the current transaction commits (at once outside one)."""
    messages = outbox_add_many(task_name, [kwargs])
    return messages[0] if messages else None


class _Queued:
    """The on-commit marker of a message :func:`outbox_add_once` recorded in the transaction. A
    rollback to a savepoint drops it with the message; the commit runs it, which only says so (a
    test's captured commit runs it without ending the test's transaction)."""

    def __init__(self, key: tuple[str, str]) -> None:
        self.key, self.ran = key, False

    def __call__(self) -> None:
        self.ran = True


def outbox_add_once(task_name: str, kwargs: dict) -> OutboxMessage | None:
    """Like :func:`outbox_add`, once per transaction for the same task and arguments: for a task
    that recomputes something after a write, which a write of many rows (a whole session's
    attendance issuing thirty certificates) needs once, not once a row."""
    key = (task_name, json.dumps(kwargs, sort_keys=True, default=str))
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        isinstance(func, _Queued) and func.key == key and not func.ran
        for _savepoints, func, _robust in connection.run_on_commit
    ):
        return None
    message = outbox_add(task_name, kwargs)
    if message is not None:
        transaction.on_commit(_Queued(key))
    return message


def outbox_add_many(task_name: str, kwargs_list: list[dict]) -> list[OutboxMessage]:
    """Like :func:`outbox_add` for many messages of one task, in one INSERT."""
    if _muted.get():
        return []
    messages = OutboxMessage.objects.bulk_create(
        [OutboxMessage(task=task_name, kwargs=kwargs) for kwargs in kwargs_list]
    )
    if messages:
        pks = [m.pk for m in messages]
        gathered = _gathered.get()
        if gathered is not None:
            transaction.on_commit(lambda: gathered.extend(pks))
        else:
            transaction.on_commit(lambda: _relay_quietly(*pks))
    return messages


def _relay_quietly(*pks: int) -> None:
    """The after-commit attempt: whatever goes wrong, the message stays for the relay and the
    request that wrote it still succeeds."""
    try:
        relay_pending(ids=list(pks))
    except Exception:  # noqa: BLE001 - never fail a committed request over publishing
        log.exception("outbox: could not publish messages %s now; the relay will", pks)


def _publish(message: OutboxMessage) -> None:
    app.send_task(message.task, kwargs=message.kwargs)


def relay_pending(*, ids: list[int] | None = None, limit: int = RELAY_BATCH) -> int:
    """Publish pending messages (only ``ids`` when given), oldest first. Returns how many went out.
    Stops at the first refusal from the broker and leaves the rest pending."""
    global _broker_down_until
    if ids is not None and time.monotonic() < _broker_down_until:
        return 0
    published, failed = [], None
    with transaction.atomic():
        pending = OutboxMessage.objects.select_for_update(skip_locked=True).filter(published_at__isnull=True)
        if ids is not None:
            pending = pending.filter(pk__in=ids)
        for message in pending.order_by("pk")[:limit]:
            try:
                _publish(message)
            except OperationalError as exc:
                failed = (message.pk, f"{type(exc).__name__}: {exc}"[:300])
                _broker_down_until = time.monotonic() + BACKOFF_SECONDS
                log.warning("outbox: broker unavailable, %s stays pending", message)
                break
            published.append(message.pk)
        if published:
            # the broker holds the message now: the row keeps its task and times, not its contents
            # (recipients, texts, links), which would otherwise outlive the contacts' erasure
            OutboxMessage.objects.filter(pk__in=published).update(published_at=timezone.now(), kwargs={})
        if failed:
            OutboxMessage.objects.filter(pk=failed[0]).update(
                attempts=F("attempts") + 1, last_error=failed[1]
            )
    if published and ids is None:
        _broker_down_until = 0.0
    return len(published)


def purge_published(*, older_than: timedelta = KEEP_PUBLISHED, limit: int = 10_000) -> int:
    """Delete published messages older than ``older_than``, a bounded batch per call."""
    cutoff = timezone.now() - older_than
    old = OutboxMessage.objects.filter(published_at__lt=cutoff).order_by("pk").values("pk")[:limit]
    deleted, _ = OutboxMessage.objects.filter(pk__in=old).delete()
    return deleted


def backlog() -> dict:
    """What /healthz reports: how many messages wait and for how long the oldest has."""
    pending = OutboxMessage.objects.filter(published_at__isnull=True)
    oldest = pending.order_by("pk").values_list("created_at", flat=True).first()
    age = (timezone.now() - oldest).total_seconds() if oldest else 0.0
    return {"pending": pending.count(), "oldest_seconds": round(age, 1)}
