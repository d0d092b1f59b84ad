"""Entry point of the kiosk's one-folder build: ``counterpoint-kiosk [run|tour|...]``,
the same commands as ``python -m kiosk``."""

import sys

from kiosk.cli import main

if __name__ == "__main__":
    sys.exit(main())
