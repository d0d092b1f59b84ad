"""Command line: ``python -m kiosk [run|tour|enroll|sync|status|export-queue|import-queue]
[--data-dir DIR]``."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from kiosk.paths import default_data_dir


def parse_size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected WIDTHxHEIGHT, e.g. 1280x800, not {text!r}"
        ) from None
    if not (320 <= w <= 7680 and 320 <= h <= 7680):
        raise argparse.ArgumentTypeError(f"size out of range: {text}")
    return w, h


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--data-dir",
        type=Path,
        # SUPPRESS: given before or after the subcommand, neither default overwrites it.
        default=argparse.SUPPRESS,
        help="folder for the kiosk's SQLite database and settings (default: the per-user "
        "data folder)",
    )
    parser = argparse.ArgumentParser(
        prog="python -m kiosk", description="CounterPoint counter kiosk", parents=[common]
    )
    parser.add_argument("--windowed", action="store_true", help="a normal window, not kiosk mode")
    parser.add_argument("--size", type=parse_size, default=(1280, 800), help="window size WxH")
    sub = parser.add_subparsers(dest="command")
    run = sub.add_parser("run", parents=[common], help="run the kiosk (the default)")
    run.add_argument("--windowed", action="store_true")
    run.add_argument("--size", type=parse_size, default=(1280, 800))
    tour = sub.add_parser(
        "tour", parents=[common], help="render every screen offscreen, in Thai and English"
    )
    tour.add_argument("--out", type=Path, required=True, help="folder for the PNG files")
    tour.add_argument(
        "--size", type=parse_size, action="append", help="screen size(s), default 1280x800"
    )
    from kiosk.sync.cli import add_parsers as add_sync_parsers

    add_sync_parsers(sub, common)  # enroll, sync --once, status [--json]
    from kiosk.queue_cli import add_parsers as add_queue_parsers

    add_queue_parsers(sub, common)  # export-queue FILE, import-queue FILE
    return parser


def plain_run(argv: list[str]) -> argparse.Namespace | None:
    """The kiosk's own start, ``[run] [--windowed] [--size WxH] [--data-dir DIR]``, read
    without building the full parser (its nine argparse parsers and the sync commands'
    module cost about 5 ms of CPU before the first frame); None for anything else (other
    commands, help, mistakes), which the full parser reads and explains."""
    args = argparse.Namespace(command=None, windowed=False, size=(1280, 800))
    rest = list(argv)
    while rest:
        word = rest.pop(0)
        name, eq, value = word.partition("=")
        if word == "run" and args.command is None:
            args.command = "run"
        elif word == "--windowed":
            args.windowed = True
        elif name in ("--size", "--data-dir"):
            if not eq:
                if not rest:
                    return None
                value = rest.pop(0)
            if name == "--data-dir":
                args.data_dir = Path(value)
                continue
            try:
                args.size = parse_size(value)
            except argparse.ArgumentTypeError:
                return None
        else:
            return None
    return args


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    words = sys.argv[1:] if argv is None else argv
    args = plain_run(words) or build_parser().parse_args(words)
    data_dir = getattr(args, "data_dir", None) or default_data_dir()
    if args.command in (None, "run"):
        from kiosk.app import run

        return run(data_dir, windowed=args.windowed, size=args.size)
    if args.command == "tour":
        from kiosk.tour import render_tour

        files = render_tour(data_dir, args.out, args.size or [(1280, 800)])
        for f in files:
            print(f)
        return 0
    from kiosk.sync.cli import COMMANDS as SYNC_COMMANDS

    if args.command in SYNC_COMMANDS:
        return SYNC_COMMANDS[args.command](args, data_dir)
    from kiosk.queue_cli import COMMANDS as QUEUE_COMMANDS

    return QUEUE_COMMANDS[args.command](args, data_dir)
