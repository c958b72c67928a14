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


# ---- the API against its own OpenAPI schema (Schemathesis; tests/platform/test_fuzz.py) ------------------


class InProcessApp:
    """Django's WSGI handler without the end-of-request connection close, so that each request runs
    in the test's transaction (as django.test.Client does)."""

    def __init__(self):
        from django.core.handlers.wsgi import WSGIHandler

        self.handler = WSGIHandler()

    def __call__(self, environ, start_response):
        from django.core.signals import request_finished, request_started
        from django.db import close_old_connections

        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            return self.handler(environ, start_response)
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)


def token_for(user):
    from rest_framework.authtoken.models import Token

    return Token.objects.get_or_create(user=user)[0].key


def answer_as_documented(user, method, path, *, body=None, **path_parameters):
    """Call ``method path`` of the API as ``user`` (a token) and check the answer against the schema
    at /api/schema/ (status, headers, body); raises with the differences. Returns the answer."""
    import schemathesis
    from schemathesis.specs.openapi.checks import response_schema_conformance

    schema = schemathesis.openapi.from_wsgi("/api/schema/", InProcessApp())
    operation = schema[path][method]
    case = operation.Case(path_parameters=path_parameters, **({"body": body} if body is not None else {}))
    headers = {"Authorization": f"Token {token_for(user)}"}
    return case.call_and_validate(headers=headers, checks=[response_schema_conformance])


def race(*functions):
    """run_concurrently, and fail the test if any of the functions raised. Returns their results."""
    results, errors = run_concurrently(*functions)
    assert not errors, errors
    return results


def deliver_queued_twice_at_once(task_name="core.send_email"):
    """Run every message of ``task_name`` waiting in the real broker twice at the same moment, each
    run in its own thread and database connection: two workers handed the same message (a
    redelivery racing the first delivery). Returns the number of messages that were waiting; after
    it returns, every delivery has finished, so nothing sent later can hide a duplicate."""
    from jointdefense.celery import app

    task = app.tasks[task_name]
    waiting = [kwargs for name, kwargs in queued_messages() if name == task_name]
    race(*[lambda kwargs=kwargs: task.apply(kwargs=kwargs, throw=True) for kwargs in waiting for _ in (1, 2)])
    return len(waiting)


# ---- rollups ---------------------------------------------------------------------------------------------


def rollups_rebuilt(tenant):
    """Rebuild the station's rollups (``core.rollups.rebuild``): after a test backdates rows with
    ``.update()``, which the services' bumps never saw. Returns the tenant."""
    from jointdefense.core import rollups

    rollups.rebuild(tenant)
    return tenant


def rollup_rows(tenant):
    """The station's non-zero rollup rows, ``{(key, dimension, day): (count, total)}`` for the day
    rows and ``{(key, dimension, (span, day)): …}`` for the week, month and year rows (so a rebuild
    compared with what the services wrote checks all three spans)."""
    from django_scopes import scopes_disabled

    from jointdefense.core.models import DailyCount

    with scopes_disabled():
        rows = DailyCount.objects.filter(tenant=tenant).exclude(count=0, total=0)
        return {
            (r.key, r.dimension, r.day if r.span == DailyCount.Span.DAY else (r.span, r.day)): (
                r.count,
                r.total,
            )
            for r in rows
        }


# ---- browser tests ------------------------------------------------------------------------------------

# run in a page before its own scripts: collects what the Content-Security-Policy refused
CSP_WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(
    e.violatedDirective + " " + e.blockedURI + " " + e.sourceFile + ":" + e.lineNumber
  );
});
"""


def _map_tile():
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (256, 256), (200, 220, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


MAP_TILE = _map_tile()  # a plain 256 px PNG the browser tests serve for every map tile
