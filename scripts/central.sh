#!/usr/bin/env bash
# Set up (first time) and run central with its demo data, the way it runs in production
# minus nginx: gunicorn (deploy/gunicorn.conf.py) serving the admin with its CSS
# (WhiteNoise), the kiosk sync API and the public pages on http://127.0.0.1:8000/.
#
#   scripts/central.sh                 # SQLite file in var/ (or $DATABASE_URL if set)
#   CP_PORT=8080 scripts/central.sh    # another port
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/counterpoint scripts/central.sh
#
# It migrates, collects static files, loads the demo (agencies, service points, catalogue,
# users; kiosks and ratings when this version's `demo` has --ratings), and prints the URL,
# a demo login and an enrolment code. A SECRET_KEY is made once and kept in var/ (0600).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
PY=.venv/bin/python

export CP_DATA_DIR=${CP_DATA_DIR:-$PWD/var}
mkdir -p "$CP_DATA_DIR"
if [ -z "${SECRET_KEY:-}" ]; then
  key_file=$CP_DATA_DIR/secret_key
  if [ ! -s "$key_file" ]; then
    (umask 077 && "$PY" -c 'import secrets; print(secrets.token_urlsafe(50))' >"$key_file")
  fi
  SECRET_KEY=$(cat "$key_file")
  export SECRET_KEY
fi
export DEBUG=${DEBUG:-0}
port=${CP_PORT:-8000}
export ALLOWED_HOSTS=${ALLOWED_HOSTS:-localhost,127.0.0.1,[::1]}
export CP_BIND=${CP_BIND:-127.0.0.1:$port}
export CP_WORKERS=${CP_WORKERS:-2}

echo "central: migrate"
"$PY" -m central migrate --noinput -v 0
echo "central: collectstatic"
"$PY" -m central collectstatic --noinput -v 0
demo_args=(demo --json)
if "$PY" -m central demo --help 2>/dev/null | grep -q -- "--ratings"; then
  demo_args+=(--ratings "${CP_DEMO_RATINGS:-20000}")
  echo "central: demo data with kiosks and ${CP_DEMO_RATINGS:-20000} ratings (takes a moment)"
else
  echo "central: demo data (this version's demo has no kiosks or ratings)"
fi
summary=$CP_DATA_DIR/demo.json
(umask 077 && "$PY" -m central "${demo_args[@]}" >"$summary")

"$PY" - "$summary" "http://$CP_BIND" <<'PYEOF'
import json
import sys

summary = json.load(open(sys.argv[1], encoding="utf-8"))
url = sys.argv[2]
users = summary["users"]
admin = next((u for u in users if u.get("central")), users[0])
counter = summary["service_points"][0]["counters"][0]
print()
print(f"  CounterPoint central: {url}/admin/")
print(f"  Demo login:           {admin['username']} / {admin['password']}")
others = [u for u in users if u is not admin]
if others:
    print(f"  Agency logins:        " + ", ".join(f"{u['username']} / {u['password']}" for u in others))
print(f"  Enrolment code:       {counter['enrolment_code']} (counter {counter['id']}, "
      f"{counter['name_en']}; more in {sys.argv[1]})")
print(f"  Kiosk:                scripts/kiosk.sh --windowed, then staff mode -> Enrol with central")
print(f"  Health:               {url}/health")
print()
PYEOF
exec .venv/bin/gunicorn --config deploy/gunicorn.conf.py central.wsgi
