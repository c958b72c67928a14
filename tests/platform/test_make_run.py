"""`make run` brings up web, worker and beat with the demo station; Ctrl-C leaves nothing running."""

import json
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]  # the repository
PORT = 8765


def session_processes(sid):
    """The pids still alive in the session ``make run`` was started in."""
    alive = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[3]) == sid and fields[0] != "Z":
                alive.append(int(entry.name))
    return alive


HEALTH_TOKEN = "make-run-test-token"


def get_json(url):
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {HEALTH_TOKEN}"})
    try:
        with urllib.request.urlopen(request, timeout=3) as r:  # noqa: S310 - a loopback address of our own
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())
    except OSError:
        return None, None


@pytest.mark.slow
@pytest.mark.timeout(1500)
def test_make_run_serves_the_demo_and_ctrl_c_stops_everything():
    env = {
        **os.environ,
        "PORT": str(PORT),
        "DJANGO_SETTINGS_MODULE": "jointdefense.settings.dev",
        "PYTEST_ARGS": "",
        "HEALTH_TOKEN": HEALTH_TOKEN,
    }
    proc = subprocess.Popen(
        ["make", "run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        text=True,
    )
    sid = proc.pid
    output = []
    # drained all along: a full pipe (the worker prints the demo's e-mails) would block the
    # processes writing to it, and they could not stop on Ctrl-C
    reader = threading.Thread(target=lambda: output.extend(proc.stdout), daemon=True)
    reader.start()
    try:
        # migrate and the demo station on a busy 2-core machine: seed_demo alone took 594 s on an
        # idle one of these on 2026-12-03 (its patrols' check-ins, through the real services)
        deadline = time.monotonic() + 1200
        status = body = None
        while time.monotonic() < deadline:
            status, body = get_json(f"http://127.0.0.1:{PORT}/healthz")
            if status == 200 and body["beat"]["ok"]:
                break
            if proc.poll() is not None:
                break
            time.sleep(1)
        assert status == 200, (status, body)
        assert body["workers"]["ok"] and body["beat"]["ok"]
        with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/accounts/login/", timeout=5) as r:  # noqa: S310
            assert r.status == 200
    finally:
        os.killpg(sid, signal.SIGINT)  # what Ctrl-C in the terminal does
        try:
            proc.wait(timeout=60)
            reader.join(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(sid, signal.SIGKILL)
            raise
    text = "".join(output)
    assert "http://127.0.0.1:8765/" in text and "chief" in text  # the address and the demo logins
    time.sleep(1)
    assert session_processes(sid) == [], text[-3000:]
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", PORT)) != 0, "the web server still listens"
