"""``python -m central hsds_bulk [--base-url URL]``: build the HSDS bulk download now."""

from django.conf import settings
from django.core.management.base import BaseCommand

from central.public import bulk


class Command(BaseCommand):
    help = (
        "Build the open data bulk download (HSDS 3.0, /hsds/bulk.zip) for the current data, "
        "so the first download does not wait for it. Prints the file's path."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--base-url",
            default="",
            help="Scheme and host for the links in the files (default: CP_PUBLIC_URL).",
        )

    def handle(self, *args, **options):
        base = options["base_url"] or settings.CP_PUBLIC_URL or "http://localhost"
        self.stdout.write(str(bulk.build(base)))
