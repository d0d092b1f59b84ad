"""The SQLite schema, as numbered migration steps recorded in ``PRAGMA user_version``.

Each step runs in its own transaction together with the ``user_version`` bump, so a
power cut leaves the database at the previous version or the next one, never between.
Steps are append-only: a shipped step is never edited, the next change is a new step.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    statements: Sequence[str]


# v1: the first schema. Settings, the cached catalogue, and the ratings outbox.
V1 = Migration(
    1,
    "settings, catalogue cache, ratings outbox",
    (
        """CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL              -- JSON
        )""",
        # One row: the cursor of the cached catalogue, its service point and counter (JSON).
        """CREATE TABLE catalogue_state (
            slot INTEGER PRIMARY KEY CHECK (slot = 1),
            cursor TEXT NOT NULL,
            service_point TEXT NOT NULL,     -- JSON object of docs/sync-protocol.md
            counter TEXT NOT NULL,           -- JSON object of docs/sync-protocol.md
            applied_at TEXT NOT NULL
        )""",
        """CREATE TABLE catalogue_services (
            code TEXT PRIMARY KEY,
            version INTEGER NOT NULL,
            name_th TEXT NOT NULL,
            name_en TEXT NOT NULL,
            agency_th TEXT NOT NULL,
            agency_en TEXT NOT NULL,
            fee_amount TEXT NOT NULL,
            fee_th TEXT NOT NULL,
            fee_en TEXT NOT NULL,
            total_minutes INTEGER NOT NULL,
            legal_basis_th TEXT NOT NULL,
            legal_basis_en TEXT NOT NULL,
            channels_th TEXT NOT NULL,
            channels_en TEXT NOT NULL,
            complaint_th TEXT NOT NULL,
            complaint_en TEXT NOT NULL,
            public_url TEXT NOT NULL,
            demo INTEGER NOT NULL CHECK (demo IN (0, 1))
        )""",
        """CREATE TABLE catalogue_steps (
            service_code TEXT NOT NULL
                REFERENCES catalogue_services(code) ON DELETE CASCADE,
            step_order INTEGER NOT NULL,
            title_th TEXT NOT NULL,
            title_en TEXT NOT NULL,
            minutes INTEGER NOT NULL,
            PRIMARY KEY (service_code, step_order)
        )""",
        """CREATE TABLE catalogue_documents (
            service_code TEXT NOT NULL
                REFERENCES catalogue_services(code) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            code TEXT NOT NULL,
            name_th TEXT NOT NULL,
            name_en TEXT NOT NULL,
            originals INTEGER NOT NULL,
            copies INTEGER NOT NULL,
            copy_status TEXT NOT NULL CHECK (copy_status IN ('no_copy', 'copy_required')),
            no_copy_since TEXT,
            reason_th TEXT NOT NULL,
            reason_en TEXT NOT NULL,
            verify_th TEXT NOT NULL,
            verify_en TEXT NOT NULL,
            PRIMARY KEY (service_code, code)
        )""",
        # The last sequence number handed out: kept apart from the ratings so that
        # purging ratings never lets a number be used twice.
        """CREATE TABLE rating_seq (
            slot INTEGER PRIMARY KEY CHECK (slot = 1),
            last_seq INTEGER NOT NULL
        )""",
        "INSERT INTO rating_seq (slot, last_seq) VALUES (1, 0)",
        """CREATE TABLE ratings (
            seq INTEGER PRIMARY KEY,
            uuid TEXT NOT NULL UNIQUE,
            kiosk_time TEXT NOT NULL,        -- RFC 3339 with offset, as sent
            tapped_at REAL NOT NULL,         -- the same instant, UTC epoch seconds
            score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
            service_code TEXT,
            dimensions TEXT NOT NULL DEFAULT '[]',   -- JSON list
            asked_for_copy INTEGER CHECK (asked_for_copy IN (0, 1)),
            comment TEXT CHECK (comment IS NULL OR length(comment) <= 500),
            interval_flag INTEGER NOT NULL CHECK (interval_flag IN (0, 1)),
            state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'synced'))
        )""",
        "CREATE INDEX ratings_by_state ON ratings (state, seq)",
    ),
)

# v2: sync bookkeeping. Central may reject an item (kept with its reason, not retried);
# synced rows remember when, so they can be purged after a while; a sync log feeds the
# status page; follow-ups are marked finished so the outbox holds a rating back until its
# optional answers are in. SQLite cannot change a CHECK constraint in place, so the
# ratings table is rebuilt (https://www.sqlite.org/lang_altertable.html#otheralter).
V2 = Migration(
    2,
    "sync bookkeeping: rejected state and reason, synced_at, finished follow-ups, sync log",
    (
        """CREATE TABLE ratings_v2 (
            seq INTEGER PRIMARY KEY,
            uuid TEXT NOT NULL UNIQUE,
            kiosk_time TEXT NOT NULL,
            tapped_at REAL NOT NULL,
            score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
            service_code TEXT,
            dimensions TEXT NOT NULL DEFAULT '[]',
            asked_for_copy INTEGER CHECK (asked_for_copy IN (0, 1)),
            comment TEXT CHECK (comment IS NULL OR length(comment) <= 500),
            interval_flag INTEGER NOT NULL CHECK (interval_flag IN (0, 1)),
            state TEXT NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'synced', 'rejected')),
            reject_reason TEXT,
            synced_at TEXT,                  -- UTC, RFC 3339
            followup_done INTEGER NOT NULL DEFAULT 0 CHECK (followup_done IN (0, 1))
        )""",
        # Ratings from v1 are old enough that their follow-ups are over; rows that v1 had
        # already synced get the upgrade time as their synced_at so they can be purged.
        """INSERT INTO ratings_v2 (seq, uuid, kiosk_time, tapped_at, score, service_code,
                dimensions, asked_for_copy, comment, interval_flag, state, reject_reason,
                synced_at, followup_done)
           SELECT seq, uuid, kiosk_time, tapped_at, score, service_code, dimensions,
                asked_for_copy, comment, interval_flag, state, NULL,
                CASE WHEN state = 'synced'
                     THEN strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now') END,
                1
           FROM ratings""",
        "DROP TABLE ratings",
        "ALTER TABLE ratings_v2 RENAME TO ratings",
        "CREATE INDEX ratings_by_state ON ratings (state, seq)",
        "CREATE INDEX ratings_by_synced_at ON ratings (synced_at) WHERE state = 'synced'",
        """CREATE TABLE sync_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,                -- kiosk clock, RFC 3339 with offset
            at_utc TEXT NOT NULL,
            ok INTEGER NOT NULL CHECK (ok IN (0, 1)),
            error TEXT
        )""",
    ),
)

MIGRATIONS: tuple[Migration, ...] = (V1, V2)
SCHEMA_VERSION = MIGRATIONS[-1].version


class SchemaTooNewError(Exception):
    """The file was written by a newer app (a downgrade): refuse rather than guess."""


def user_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, target: int = SCHEMA_VERSION) -> list[int]:
    """Apply every step above the file's version up to ``target``; return those applied.

    ``conn`` must be in autocommit mode (``isolation_level=None``): each step opens its
    own ``BEGIN IMMEDIATE`` transaction and commits it with its ``user_version``.
    """
    if conn.in_transaction:
        raise RuntimeError("migrate() needs a connection with no open transaction")
    current = user_version(conn)
    if current > SCHEMA_VERSION:
        raise SchemaTooNewError(
            f"the database has schema version {current}, newer than this app knows "
            f"({SCHEMA_VERSION}); it was written by a newer version of the kiosk app"
        )
    applied = []
    for step in MIGRATIONS:
        if step.version <= current or step.version > target:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            for sql in step.statements:
                conn.execute(sql)
            conn.execute(f"PRAGMA user_version = {int(step.version)}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        applied.append(step.version)
    return applied
