#!/usr/bin/env bash
# Set up (first time) and run the kiosk on its bundled demo catalogue and a local SQLite file.
# Extra arguments go to `python -m kiosk`, e.g. `scripts/kiosk.sh --windowed`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh kiosk  # only what the kiosk needs: PySide6, no Django
exec .venv/bin/python -m kiosk "$@"
