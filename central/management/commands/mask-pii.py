"""``python -m central mask-pii``: UTF-8 lines on stdin, each line masked on stdout."""

from __future__ import annotations

import io
import sys

from django.core.management.base import BaseCommand

from protocol.pii import mask


class Command(BaseCommand):
    help = (
        "Read UTF-8 text lines on standard input and write each line with Thai ID numbers, "
        "phone numbers and e-mail addresses masked on standard output (one line out for "
        "each line in), to check the masking rules."
    )

    def handle(self, *args, **options) -> None:
        stdin = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace")
        out = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", write_through=True)
        for line in stdin:
            out.write(mask(line.rstrip("\r\n")) + "\n")
        out.flush()
        out.detach()
        stdin.detach()
