#!/usr/bin/env bash
# Idempotent setup: Debian runtime libraries for Qt, a virtualenv in .venv, the project
# installed into it with every extra. Safe to run again; it skips what is already there.
# `scripts/setup.sh kiosk` installs only what the kiosk needs (no Django, no test tools).
set -euo pipefail
cd "$(dirname "$0")/.."
PROFILE=${1:-all}
case "$PROFILE" in
  kiosk) EXTRAS="kiosk" ;;
  all) EXTRAS="kiosk,central,dev" ;;
  *) echo "setup: unknown profile $PROFILE (kiosk or all)" >&2; exit 2 ;;
esac

PY=${PYTHON:-}
if [ -z "$PY" ]; then
  for c in python3.11 python3; do
    if command -v "$c" >/dev/null 2>&1 && "$c" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
      PY=$c; break
    fi
  done
fi
[ -n "$PY" ] || { echo "setup: Python 3.11 is required (python3.11 not found)" >&2; exit 1; }

# Debian libraries PySide6 needs at run time (offscreen and on a real X11/Wayland screen).
APT_PKGS="libegl1 libgl1 libopengl0 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libfreetype6
  libdbus-1-3 libglib2.0-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0
  libxcb-render-util0 libxcb-image0 libx11-xcb1 libthai0
  gettext
  xvfb"  # xvfb: kiosk tests and bench/kiosk.py start their own X server
# The tests also build and check the kiosk's .deb: the unit linter (systemd), the
# compositor the unit starts (cage, which needs xwayland), a screenshot tool for it
# (grim), Qt's Wayland client libraries, strace (central's fsync test and the kiosk's
# power-cut crash states, tests/kiosk/crash_states.py).
if [ "$PROFILE" = all ]; then
  APT_PKGS="$APT_PKGS systemd cage xwayland grim libwayland-client0 libwayland-cursor0
    libwayland-egl1 strace"
fi
if command -v dpkg >/dev/null 2>&1; then
  missing=""
  for p in $APT_PKGS; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
  if ! "$PY" -c 'import ensurepip, venv' >/dev/null 2>&1; then missing="$missing python3.11-venv"; fi
  if [ -n "$missing" ]; then
    echo "setup: installing Debian packages:$missing"
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
  fi
fi

if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=.venv/.counterpoint-installed
[ "$PROFILE" = all ] || stamp="$stamp-$PROFILE"
if [ "$PROFILE" = kiosk ] && [ -f .venv/.counterpoint-installed ] \
  && [ .venv/.counterpoint-installed -nt pyproject.toml ]; then
  stamp=.venv/.counterpoint-installed  # everything is already there
fi
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[$EXTRAS]"
  touch "$stamp"
fi

# Central's Thai/English catalogues: central/locale/*/LC_MESSAGES/*.po -> .mo (msgfmt,
# Debian package gettext, above). Run in central/ so only the project's catalogues compile.
# (Not for the kiosk-only profile: no Django there, and no charts.)
if [ "$PROFILE" = all ]; then
  (cd central && DEBUG=1 ../.venv/bin/python -m central compilemessages >/dev/null)

  # Browser libraries central serves itself (charts on the insights pages; no CDN): from npm.
  if [ ! -f node_modules/chart.js/dist/chart.umd.js ] || [ package.json -nt node_modules/.package-lock.json ]; then
    if command -v npm >/dev/null 2>&1; then
      npm install --no-audit --no-fund --omit=dev --loglevel=error
    else
      echo "setup: npm not found: installing Debian's npm for central's chart library"
      SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
      $SUDO apt-get update -qq
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends npm
      npm install --no-audit --no-fund --omit=dev --loglevel=error
    fi
  fi
fi
