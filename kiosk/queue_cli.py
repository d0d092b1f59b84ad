"""``python -m kiosk export-queue FILE`` and ``import-queue FILE``: move the queued ratings
of a broken kiosk to its replacement (kiosk/storage/queue_file.py; docs/operations.md).

``export-queue`` never opens the data folder as a kiosk (no migration, no recovery, no
write): it works on the folder of a dead device's disk, mounted read-only, even when
the app there cannot start. Exit statuses: 0 done; 2 bad file; 3 no readable database.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_parsers(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    export = sub.add_parser(
        "export-queue",
        parents=[common],
        help="write the ratings not yet sent to central to FILE (works on a dead kiosk's "
        "data folder)",
    )
    export.add_argument("file", type=Path, help="the queue file to write (JSON)")
    imp = sub.add_parser(
        "import-queue",
        parents=[common],
        help="add the ratings of a queue file to this kiosk's outbox (sent once, by uuid)",
    )
    imp.add_argument("file", type=Path, help="a file written by export-queue")


def cmd_export(args: argparse.Namespace, data_dir: Path) -> int:
    from kiosk.storage.queue_file import export_queue

    try:
        document = export_queue(data_dir, args.file)
    except FileNotFoundError as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return 3
    source = document["source"]
    print(
        f"exported {len(document['ratings'])} queued ratings from {data_dir} to {args.file} "
        f"(kiosk {source['kiosk_id'] or 'not enrolled'}, local id {source['local_kiosk_id']})"
    )
    return 0


def cmd_import(args: argparse.Namespace, data_dir: Path) -> int:
    from kiosk.storage import KioskStore, StorageError
    from kiosk.storage.queue_file import import_queue

    try:
        store = KioskStore.open(data_dir)
    except StorageError as exc:
        print(f"kiosk: cannot open the database in {data_dir}: {exc}", file=sys.stderr)
        return 3
    try:
        added, already = import_queue(store, args.file)
        depth = store.queue_depth()
    except ValueError as exc:
        print(f"kiosk: nothing imported: {exc}", file=sys.stderr)
        return 2
    finally:
        store.close()
    print(
        f"imported {added} ratings from {args.file} ({already} were already here); "
        f"{depth} ratings now wait for central"
    )
    return 0


COMMANDS = {"export-queue": cmd_export, "import-queue": cmd_import}
