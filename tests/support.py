"""Small utilities the tests of every app share (builders live in tests/factories.py)."""

import base64
import json
import threading
import time

import redis
from django.conf import settings
from django.db import connection


def wait_for(predicate, timeout=10.0):
    """Poll ``predicate`` until it is true (True) or ``timeout`` seconds pass (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def queued_messages():
    """The task messages waiting in the real Redis broker's default queue, as (task name, kwargs)."""
    raw = redis.Redis.from_url(settings.CELERY_BROKER_URL).lrange("celery", 0, -1)
    messages = []
    for item in raw:
        envelope = json.loads(item)
        _args, kwargs, _embed = json.loads(base64.b64decode(envelope["body"]))
        messages.append((envelope["headers"]["task"], kwargs))
    return messages


def run_concurrently(*functions):
    """Run each function in its own thread (its own database connection), released together by a
    barrier: for races that must really overlap. Returns (results, errors)."""
    barrier = threading.Barrier(len(functions))
    results, errors = [None] * len(functions), []

    def runner(i, fn):
        try:
            barrier.wait(timeout=10)
            results[i] = fn()
        except Exception as exc:  # noqa: BLE001 - reported to the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(i, fn)) for i, fn in enumerate(functions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results, errors
