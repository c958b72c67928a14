#!/usr/bin/env bash
# Creates the database and its PostGIS extension when missing.
set -euo pipefail
DB_NAME=${DB_NAME:-jointdefense}
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
if [ "$(psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")" != "1" ]; then
  echo "==> Creating database $DB_NAME"
  createdb "$DB_NAME"
fi
psql -q -d "$DB_NAME" -c "CREATE EXTENSION IF NOT EXISTS postgis" >/dev/null
