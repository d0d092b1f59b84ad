"""``python -m central <command>``: the same as Django's manage.py for this project."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "central.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["python -m central", *sys.argv[1:]])


if __name__ == "__main__":
    main()
