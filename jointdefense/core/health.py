"""State of the real components, for /healthz and `make run`'s wait loop.

The report is computed at most once every ``HEALTH_CACHE_SECONDS`` per process, from one query and a
few Redis reads: the workers and beat are known by the heartbeats they write to Redis, never by
asking them, so /healthz never waits on a worker. A
failure is reported by the exception's class name only: its text can hold hosts and user names.
"""

import threading
import time

from django.conf import settings
from django.db import connection

from .outbox import backlog
from .tasks import BEAT_HEARTBEAT_KEY, redis_client, worker_heartbeats


def check_database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT postgis_lib_version()")
        (postgis,) = cursor.fetchone()
    return {"ok": True, "postgis": postgis}


def check_redis() -> dict:
    redis_client().ping()
    return {"ok": True}


def check_workers() -> dict:
    """The workers whose heartbeat (written by each worker's own timer) is recent: one Redis scan,
    no round trip through the broker to the workers."""
    alive = worker_heartbeats()
    names = sorted(name for name, age in alive.items() if age <= settings.WORKER_HEARTBEAT_MAX_AGE)
    return {"ok": bool(names), "workers": names}


def check_beat() -> dict:
    raw = redis_client().get(BEAT_HEARTBEAT_KEY)
    if raw is None:
        return {"ok": False, "last_heartbeat_seconds_ago": None}
    age = time.time() - float(raw)
    return {"ok": age <= settings.BEAT_HEARTBEAT_MAX_AGE, "last_heartbeat_seconds_ago": round(age, 1)}


# messages waiting longer than this mean the relay (beat and a worker) is not keeping up
OUTBOX_MAX_AGE_SECONDS = 300


def check_outbox() -> dict:
    state = backlog()
    return {"ok": state["oldest_seconds"] <= OUTBOX_MAX_AGE_SECONDS, **state}


# beat and the outbox are reported, but only these decide between 200 and 503
REQUIRED = ("database", "redis", "workers")
CHECKS = {
    "database": check_database,
    "redis": check_redis,
    "workers": check_workers,
    "beat": check_beat,
    "outbox": check_outbox,
}


_lock = threading.Lock()
_cached: tuple[float, bool, dict] | None = None


def health_report() -> tuple[bool, dict]:
    """``(healthy, report)``, from the last ``HEALTH_CACHE_SECONDS`` if computed within them."""
    global _cached
    ttl = settings.HEALTH_CACHE_SECONDS
    with _lock:
        if ttl > 0 and _cached is not None and _cached[0] > time.monotonic():
            return _cached[1], _cached[2]
        healthy, report = _run_checks()
        _cached = (time.monotonic() + ttl, healthy, report)
        return healthy, report


def _run_checks() -> tuple[bool, dict]:
    report = {}
    for name, check in CHECKS.items():
        if name in ("workers", "beat") and not report["redis"]["ok"]:
            # with Redis down the worker and beat checks cannot answer; say so instead of waiting
            report[name] = {"ok": False, "error": "redis unavailable"}
            continue
        try:
            report[name] = check()
        except Exception as exc:  # noqa: BLE001 - every failure is a "down" state, reported by name
            report[name] = {"ok": False, "error": type(exc).__name__}
    healthy = all(report[name]["ok"] for name in REQUIRED)
    return healthy, report
