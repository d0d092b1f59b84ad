"""``python -m central classify-comments``: comment lines on stdin, one JSON per line out."""

from __future__ import annotations

import io
import json
import sys

from django.core.management.base import BaseCommand

from central.comments.analysis import analyse
from protocol.pii import mask


class Command(BaseCommand):
    help = (
        "Read UTF-8 comment lines on standard input and write one JSON object per line: "
        '{"sentiment": "pos"|"neu"|"neg"|"q", "score": -1..1, "topics": [...], '
        '"junk": true|false}. Topics: process, staff, facilities, outcome, waiting, '
        "documents. Personal data is masked before the comment is analysed."
    )

    def handle(self, *args, **options) -> None:
        stdin = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace")
        out = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", write_through=True)
        for line in stdin:
            result = analyse(mask(line.rstrip("\r\n")))
            out.write(json.dumps(result.as_json(), ensure_ascii=False) + "\n")
        out.flush()
        out.detach()
        stdin.detach()
