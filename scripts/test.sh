#!/usr/bin/env bash
# Set up (first time) and run every check: lint, then the whole suite on SQLite, then the
# central and end-to-end suites again on PostgreSQL (127.0.0.1:5432, user postgres).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export QT_QPA_PLATFORM=offscreen PYTHAINLP_OFFLINE=1
PG_URL=${CP_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/counterpoint}

echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .

echo "== mypy (kiosk/)"
.venv/bin/mypy

echo "== pytest (SQLite)"
env -u DATABASE_URL .venv/bin/python -m pytest "$@"

echo "== pytest central + end-to-end (PostgreSQL: $PG_URL)"
DATABASE_URL=$PG_URL .venv/bin/python -m pytest tests/central tests/e2e "$@"
