"""Schemathesis against the project's own OpenAPI schema (/api/schema/): every operation, as an
anonymous caller, a volunteer and an officer of the demo station. No answer may be a 5xx, and every
answer the schema documents must match it (status code, headers, body).

The app runs in-process (Django's WSGI handler, inside the test's transaction, as the test client
does), so the seeded demo rows are there and every write is rolled back afterwards. DRF's anonymous
and per-user throttles are switched off for these tests only: the fuzzer would otherwise see 429s
after the first minute's allowance.

`make test` runs a short, derandomized pass (FUZZ_CASES cases per role, spread over the operations);
`make fuzz` runs at least 5,000 cases per role (FUZZ_CASES=5000).
"""

import datetime
import os
import time

import pytest
import schemathesis
from django.utils import timezone
from django_scopes import scope
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from rest_framework.views import APIView
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from patrols.models import Schedule
from patrols.services.field import patrol_start
from patrols.services.planning import schedule_save
from patrols.services.signups import shift_signup
from teams.services.rewards import redemption_request, reward_create
from tests.factories import (
    CheckpointFactory,
    RouteFactory,
    ShiftFactory,
    TeamFactory,
    VolunteerFactory,
    award_points,
    check_in,
    dispute_report,
    mediation_opened,
    report_filed,
)
from tests.support import InProcessApp, token_for

# at least this many cases per role, spread over the schema's operations: each gets FUZZ_CASES / n valid
# requests, half as many invalid ones and a quarter on generated ids (and at least one of each)
FUZZ_CASES = int(os.environ.get("FUZZ_CASES", "150"))
STATION = "station-a"
CHECKS = [not_a_server_error, response_schema_conformance]


@pytest.fixture
def station(station_a, officer_a, patroller_a, community_a, cell_a, monkeypatch):
    """Station A with a row of every kind the API serves (some with the optional links left empty),
    and no DRF throttles for the fuzzer."""
    monkeypatch.setattr(APIView, "throttle_classes", [])
    with scope(tenant=station_a):
        team = TeamFactory(tenant=station_a, name="Garden Patrol", home_community=community_a)
        TeamFactory(tenant=station_a, name="Roaming Patrol")  # no home community
        VolunteerFactory(tenant=station_a, full_name="New Applicant")  # applied, no community
        route = RouteFactory(tenant=station_a, community=community_a)
        RouteFactory(tenant=station_a, tier="brigade")  # a station route, no community
        checkpoint = CheckpointFactory(route=route)
        schedule_save(
            schedule=Schedule(
                tenant=station_a,
                name="Mornings",
                kind=Schedule.Kind.DAILY,
                route=route,
                start_time=datetime.time(8, 0),
                duration_minutes=240,
                team=team,
                valid_from=timezone.localdate(),
            ),
            actor=officer_a,
        )
        soon = timezone.now().replace(microsecond=0) + datetime.timedelta(minutes=20)
        shift = ShiftFactory(route=route, team=team, starts_at=soon)
        shift_signup(shift=shift, volunteer=patroller_a)
        patrol_start(shift=shift, volunteer=patroller_a, actor=patroller_a.user)
        reward = reward_create(
            tenant=station_a, actor=officer_a, kind="item", name="Umbrella", cost_points=5, stock=10
        )
        award_points(patroller_a, "fuzz:welcome", kind="patrol_hour", quantity=10)
        redemption_request(volunteer=patroller_a, reward=reward, actor=patroller_a.user)
    check_in(patroller_a, checkpoint, timezone.now())
    report_filed(station_a)  # by an anonymous resident: its first event has no actor
    mediation_opened(station_a, officer_a)  # not from a report
    mediation_opened(station_a, officer_a, report=dispute_report(station_a, community_a))
    return station_a


@pytest.fixture
def api(station):
    return schemathesis.openapi.from_wsgi("/api/schema/", InProcessApp())


def existing_ids(schema, headers):
    """An id that exists for each list of the schema (its first row, as the officer sees it), so that
    the detail and action operations reach real rows and not only 404s."""
    ids = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.method.upper() != "GET" or operation.path.endswith("}/"):
            continue
        case = operation.Case(path_parameters={"station": STATION})
        response = case.call(headers=headers)
        if response.status_code != 200:
            continue
        data = response.json()
        rows = data.get("results", data.get("features", [])) if isinstance(data, dict) else data
        if rows and isinstance(rows[0], dict) and "id" in rows[0]:
            ids[operation.path] = rows[0]["id"]
    return ids


def fuzz(schema, headers, ids):
    """Every operation with its share of FUZZ_CASES: valid requests (on a row that exists where the path
    has an id, and a few on generated ids) and invalid ones (which must get a 4xx, never a 5xx). The
    failures of all operations are collected and reported together, so that one operation's bug does
    not hide another's. Returns how many requests were made."""
    operations = [result.ok() for result in schema.get_all_operations()]
    per_operation = max(1, FUZZ_CASES // len(operations))
    failures = []
    calls = 0

    def run(operation, parameters, examples, mode=GenerationMode.POSITIVE):
        nonlocal calls

        @settings(
            max_examples=examples,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(generation_mode=mode, path_parameters=parameters))
        def check(case):
            nonlocal calls
            calls += 1
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            check()
        except Unsatisfiable:  # nothing of this operation can be made invalid
            pass
        except (Exception, BaseExceptionGroup) as exc:  # failed checks or an exception of the app
            failures.append(f"{operation.label} {parameters} ({mode.value}): {exc}")

    for operation in operations:
        list_path = operation.path.split("{id}/")[0]
        if "{id}" in operation.path and list_path in ids:
            run(operation, {"station": STATION, "id": ids[list_path]}, per_operation)
            run(operation, {"station": STATION}, max(1, per_operation // 4))
        else:
            run(operation, {"station": STATION}, per_operation)
        run(operation, {"station": STATION}, max(1, per_operation // 2), GenerationMode.NEGATIVE)
    assert not failures, "\n\n".join(failures)
    return calls


@pytest.mark.parametrize("role", ["anonymous", "volunteer", "officer"])
def test_no_server_error_and_every_answer_as_the_schema_says(api, role, officer_a, patroller_a):
    officer = {"Authorization": f"Token {token_for(officer_a)}"}
    ids = existing_ids(api, officer)
    headers = {
        "anonymous": {},
        "volunteer": {"Authorization": f"Token {token_for(patroller_a.user)}"},
        "officer": officer,
    }[role]
    started = time.monotonic()
    calls = fuzz(api, headers, ids)
    print(f"{role}: {calls} cases in {time.monotonic() - started:.1f}s")  # noqa: T201 (seen with -s)
    assert calls >= FUZZ_CASES
