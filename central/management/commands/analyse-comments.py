"""``python -m central analyse-comments [--redo]``: backfill the comment analyses."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from central.comments.store import backfill


class Command(BaseCommand):
    help = (
        "Analyse (sentiment, topics, junk, photocopy asked) every stored rating comment that "
        "has no analysis yet, e.g. ratings stored before this version. --redo analyses every "
        "comment again (after a model update), keeping the comments admins unflagged."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--redo", action="store_true", help="analyse every comment again")

    def handle(self, *args, redo: bool = False, **options) -> None:
        done = backfill(redo=redo)
        self.stdout.write(f"{done} comment(s) analysed")
