"""`make bench` keeps working as the models change: the benchmark builds its large station with bulk
INSERT … SELECT statements that name columns, so a new NOT NULL column breaks it (a report's
public id once did). Here it runs end to end on a tiny station in a database of its own."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_the_benchmark_runs_on_a_small_station(tmp_path):
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    db_name = f"jointdefense_bench_smoke_{worker}"
    env = {
        **os.environ,
        "DB_NAME": db_name,
        "DATABASE_URL": f"postgis://postgres@127.0.0.1:5432/{db_name}",
        "BENCH_OUT": str(tmp_path / "results.json"),
        "BENCH_COMMUNITIES": "3",
        "BENCH_CELLS": "2",
        "BENCH_RUNS": "1",
        "BENCH_VOLUNTEERS": "30",
        "BENCH_ENTRIES": "2",
        "BENCH_REPORTS": "200",
        "BENCH_CERTIFICATES": "60",
        "BENCH_COMPLIANCE_RUNS": "1",
        "BENCH_SUMMARY_STATIONS": "3",
        "BENCH_SHIFTS": "60",
    }
    subprocess.run(["scripts/ensure-db.sh"], cwd=ROOT, env=env, check=True, capture_output=True, timeout=120)
    try:
        result = subprocess.run(
            [sys.executable, "bench/run.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=540
        )
        assert result.returncode == 0, result.stderr[-3000:]
        results = json.loads((tmp_path / "results.json").read_text())
        assert results["station"]["reports"] == 200
        assert results["cases"] and results["training_compliance"]
        assert results["weekly_summary_1000_stations"]["stations"] == 3
    finally:
        subprocess.run(
            ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", db_name],
            capture_output=True,
            timeout=60,
        )
