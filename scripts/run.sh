#!/usr/bin/env bash
# Starts the web server, a Celery worker and beat in the foreground; Ctrl-C stops all three.
set -euo pipefail
export PORT=${PORT:-8000} HOST=${HOST:-127.0.0.1}
mkdir -p .make
cat <<TXT

  Joint Defense Portal is starting at  http://$HOST:$PORT/
  Health:                              http://$HOST:$PORT/healthz
  API docs:                            http://$HOST:$PORT/api/docs/
  Administration:                      http://$HOST:$PORT/admin/

  Demo logins (password: ${DEMO_PASSWORD:-jointdefense-demo}):
    chief           station chief, Huayuan Road Police Station
    officer.li      community police officer
    leader.chen     team leader
    vol.01          volunteer
    officer.sun     officer in two stations (station switcher)
    bureau          bureau viewer (Jinshui District)
    admin           platform operator (administration)

  Press Ctrl-C to stop the web server, the worker and beat.

TXT
export PATH="$PWD/.venv/bin:$PATH"
exec honcho -f Procfile start
