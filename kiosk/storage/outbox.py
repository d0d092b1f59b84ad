"""The outbox: ratings as they are tapped (durable when ``record_rating`` returns), their
optional follow-up answers, what is queued for central and what central answered, old
synced ratings purged, and the log of sync attempts."""

from __future__ import annotations

import json
import re
import uuid as uuidlib
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from kiosk.storage.connection import _utc_iso
from kiosk.storage.errors import StorageFullError
from kiosk.storage.models import DIMENSIONS, MAX_COMMENT_CHARS, RatingRef
from kiosk.storage.settings_store import (
    DEFAULT_FOLLOWUP_HOLD_S,
    DEFAULT_MIN_RATING_INTERVAL_S,
    SETTING_FOLLOWUP_HOLD,
    SETTING_MIN_RATING_INTERVAL,
    SettingsStore,
)
from protocol import constants
from protocol.pii import mask as mask_pii
from protocol.rules import clean_text

SYNC_LOG_KEEP = 200
SYNC_STATUSES = ("accepted", "duplicate", "rejected")

_RATING_COLUMNS = (
    "uuid, seq, kiosk_time, score, service_code, dimensions, asked_for_copy, comment, "
    "interval_flag, state, reject_reason"
)


class Outbox(SettingsStore):
    """Ratings, their follow-ups and their way to central."""

    def record_rating(self, score: int, service_code: str | None) -> RatingRef:
        """Store a rating durably (committed with WAL + synchronous=FULL) and return its
        reference. A tap within ``min_rating_interval_s`` (setting, default 10 s) of the
        last counted rating is stored with ``interval_flag`` set, never dropped."""
        if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
            raise ValueError(f"score must be an integer from 1 to 5, got {score!r}")
        if service_code is not None and (
            not isinstance(service_code, str)
            or not re.fullmatch(constants.SERVICE_CODE_PATTERN, service_code)
        ):
            # Central accepts every code of this shape (one it does not know is kept as
            # unknown): the kiosk stores nothing central would refuse.
            raise ValueError(
                f"service_code must be a service code like ID_RENEW or None, got {service_code!r}"
            )
        interval = self._number_setting(SETTING_MIN_RATING_INTERVAL, DEFAULT_MIN_RATING_INTERVAL_S)
        moment = self._now()
        tapped_at = moment.timestamp()
        rating_uuid = str(uuidlib.uuid4())
        with self._writing("save the rating") as conn:
            seq = conn.execute(
                "UPDATE rating_seq SET last_seq = last_seq + 1 WHERE slot = 1 RETURNING last_seq"
            ).fetchall()[0][0]
            last = conn.execute(
                "SELECT tapped_at FROM ratings WHERE interval_flag = 0 ORDER BY seq DESC LIMIT 1"
            ).fetchone()
            # A clock set back (now before the last tap) does not flag: clocks lie.
            flag = last is not None and 0 <= tapped_at - last[0] < interval
            conn.execute(
                "INSERT INTO ratings (seq, uuid, kiosk_time, tapped_at, score, service_code, "
                "interval_flag) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    seq,
                    rating_uuid,
                    moment.isoformat(timespec="seconds"),
                    tapped_at,
                    score,
                    service_code,
                    int(flag),
                ),
            )
        return RatingRef(uuid=rating_uuid, seq=seq, interval_flag=flag)

    def update_followup(
        self,
        uuid: str,
        *,
        dimensions: list[str] | None = None,
        asked_for_copy: bool | None = None,
        comment: str | None = None,
    ) -> None:
        """Save optional follow-up answers on the rating ``uuid`` (only the fields given).

        ``dimensions``: a subset of staff, waiting_time, steps, documents, facilities,
        outcome (duplicates dropped); ``comment``: at most 500 characters (blank = none).
        Raises ``ValueError`` for a bad answer, ``LookupError`` for an unknown uuid.
        """
        changes: dict[str, Any] = {}
        if dimensions is not None:
            if isinstance(dimensions, str) or not isinstance(dimensions, Iterable):
                raise ValueError("dimensions must be a list of dimension names")
            dims = list(dict.fromkeys(dimensions))
            unknown = [d for d in dims if d not in DIMENSIONS]
            if unknown:
                raise ValueError(
                    f"unknown dimension(s) {unknown}; allowed: {', '.join(DIMENSIONS)}"
                )
            changes["dimensions"] = json.dumps(dims)
        if asked_for_copy is not None:
            if not isinstance(asked_for_copy, bool):
                raise ValueError(
                    f"asked_for_copy must be True, False or None, got {asked_for_copy!r}"
                )
            changes["asked_for_copy"] = int(asked_for_copy)
        if comment is not None:
            if not isinstance(comment, str):
                raise ValueError("comment must be a string")
            # Control characters and lone surrogates cannot travel (or be stored by
            # central's PostgreSQL): dropped here, so central never refuses the rating.
            text = clean_text(comment).strip()
            if len(text) > MAX_COMMENT_CHARS:
                raise ValueError(
                    f"comment is {len(text)} characters long; at most {MAX_COMMENT_CHARS} allowed"
                )
            changes["comment"] = mask_pii(text)[:MAX_COMMENT_CHARS] or None
        with self._writing("save the follow-up answers") as conn:
            if conn.execute("SELECT 1 FROM ratings WHERE uuid = ?", (uuid,)).fetchone() is None:
                raise LookupError(f"no rating with uuid {uuid!r}")
            if changes:
                assignments = ", ".join(f"{column} = ?" for column in changes)
                conn.execute(
                    f"UPDATE ratings SET {assignments} WHERE uuid = ?", (*changes.values(), uuid)
                )

    def finish_followup(self, uuid: str) -> None:
        """The citizen is done with the follow-up questions: the rating may be sent now.

        Until this is called (or ``followup_hold_s``, default 300 s, has passed) a fresh
        rating stays out of ``pending_ratings``, so answers given after the tap go to
        central with it (central stores each uuid once and would ignore a later update).
        """
        with self._writing("save the follow-up answers") as conn:
            cur = conn.execute("UPDATE ratings SET followup_done = 1 WHERE uuid = ?", (uuid,))
            if cur.rowcount == 0:
                raise LookupError(f"no rating with uuid {uuid!r}")

    @staticmethod
    def _wire(row: tuple) -> dict:
        (uuid, seq, kiosk_time, score, service_code, dims, copy, comment, flag) = row[:9]
        return {
            "uuid": uuid,
            "seq": seq,
            "kiosk_time": kiosk_time,
            "score": score,
            "service_code": service_code,
            "dimensions": json.loads(dims),
            "asked_for_copy": None if copy is None else bool(copy),
            "comment": comment,
            "interval_flag": bool(flag),
        }

    def rating(self, uuid: str) -> dict | None:
        """The rating as the wire dict of docs/sync-protocol.md, plus ``state``
        ("pending", "synced" or "rejected") and ``reason`` (why central rejected it)."""
        with self._reading("read a rating") as conn:
            row = conn.execute(
                f"SELECT {_RATING_COLUMNS} FROM ratings WHERE uuid = ?", (uuid,)
            ).fetchone()
        if row is None:
            return None
        return self._wire(row) | {"state": row[9], "reason": row[10]}

    def rejected_ratings(self, limit: int = 20) -> list[dict]:
        """The newest ratings central refused (kept, never re-sent), with its reason."""
        with self._reading("read refused ratings") as conn:
            rows = conn.execute(
                f"SELECT {_RATING_COLUMNS} FROM ratings WHERE state = 'rejected' "
                "ORDER BY seq DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return [self._wire(row) | {"state": row[9], "reason": row[10]} for row in rows]

    def queue_depth(self) -> int:
        """Ratings not yet accepted by central (state pending)."""
        with self._reading("count queued ratings") as conn:
            row = conn.execute("SELECT count(*) FROM ratings WHERE state = 'pending'").fetchone()
        return row[0]

    def pending_ratings(self, limit: int) -> list[dict]:
        """Up to ``limit`` queued ratings, oldest first, as wire dicts ready to send.

        A rating whose follow-up is still open (see ``finish_followup``) is held back for
        at most ``followup_hold_s`` seconds after its tap."""
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise ValueError(f"limit must be a positive integer, got {limit!r}")
        hold = self._number_setting(SETTING_FOLLOWUP_HOLD, DEFAULT_FOLLOWUP_HOLD_S)
        now = self._now().timestamp()
        with self._reading("read queued ratings") as conn:
            rows = conn.execute(
                f"SELECT {_RATING_COLUMNS} FROM ratings WHERE state = 'pending' "
                "AND (followup_done = 1 OR NOT (tapped_at <= ? AND tapped_at > ?)) "
                "ORDER BY seq LIMIT ?",
                (now, now - hold, limit),
            ).fetchall()
        return [self._wire(row) for row in rows]

    def mark_sync_results(self, results: list[dict]) -> None:
        """Apply central's per-item answers in one transaction: accepted/duplicate make a
        rating "synced" (with ``synced_at``); rejected makes it "rejected" with the reason
        (kept, never re-sent). Unknown uuids are ignored. A malformed result raises
        ``ValueError`` before anything changes."""
        synced, rejected = [], []
        for i, result in enumerate(results):
            if not isinstance(result, dict) or not isinstance(result.get("uuid"), str):
                raise ValueError(f"results[{i}] must be an object with a string 'uuid'")
            status = result.get("status")
            if status not in SYNC_STATUSES:
                raise ValueError(
                    f"results[{i}].status must be one of {', '.join(SYNC_STATUSES)}, got {status!r}"
                )
            reason = result.get("reason")
            if reason is not None and not isinstance(reason, str):
                raise ValueError(f"results[{i}].reason must be a string or null")
            if status == "rejected":
                rejected.append((reason or "rejected by central (no reason given)", result["uuid"]))
            else:
                synced.append(result["uuid"])
        stamp = _utc_iso(self._now())

        def mark() -> None:
            with self._writing("record the sync results") as conn:
                conn.executemany(
                    "UPDATE ratings SET state = 'synced', synced_at = ?, reject_reason = NULL "
                    "WHERE uuid = ? AND state <> 'synced'",
                    [(stamp, u) for u in synced],
                )
                conn.executemany(
                    "UPDATE ratings SET state = 'rejected', reject_reason = ? "
                    "WHERE uuid = ? AND state = 'pending'",
                    rejected,
                )

        try:
            mark()
        except StorageFullError:
            # A full disk: these updates change rows in place, so they fit once the
            # write-ahead log is rewound to its start (its file keeps its size).
            self._rewind_wal()
            mark()

    def purge_synced(self, older_than: timedelta) -> int:
        """Delete ratings central accepted more than ``older_than`` ago; return how many.
        Pending and rejected ratings are never purged."""
        if older_than < timedelta(0):
            raise ValueError("older_than must not be negative")
        cutoff = _utc_iso(self._now() - older_than)
        with self._writing("remove old synced ratings") as conn:
            cur = conn.execute(
                "DELETE FROM ratings WHERE state = 'synced' AND synced_at < ?", (cutoff,)
            )
            return cur.rowcount

    # ------------------------------------------------------------------ sync bookkeeping

    def record_sync_attempt(self, *, ok: bool, error: str | None) -> None:
        """Log one sync attempt (for the status page): its time, success, error text."""
        moment = self._now()
        with self._writing("record the sync attempt") as conn:
            conn.execute(
                "INSERT INTO sync_log (at, at_utc, ok, error) VALUES (?, ?, ?, ?)",
                (moment.isoformat(timespec="seconds"), _utc_iso(moment), int(bool(ok)), error),
            )
            conn.execute(
                "DELETE FROM sync_log WHERE id <= (SELECT max(id) FROM sync_log) - ?",
                (SYNC_LOG_KEEP,),
            )
