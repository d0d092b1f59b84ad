"""Which database a query reads from: the primary (``default``) or a streaming replica.

Writes, the sync API and everything that must see its own writes use the primary, as
always. Read-heavy pages that can be a few seconds behind (dashboards, exports) ask for the
replica explicitly::

    from central.db import read_replica

    Rating.objects.using(read_replica()).filter(...)

``read_replica()`` returns ``"replica"`` only when ``DATABASE_REPLICA_URL`` is set, the
replica answers, it is a standby that is streaming from the primary, and its replay lag is
at most ``CP_REPLICA_MAX_LAG_S`` seconds; otherwise ``"default"`` (the primary answers
instead: slower for everyone, never stale or failing). The verdict is cached per process for
``CP_REPLICA_CHECK_S`` seconds, so a replica that is down costs one failed connection per
interval, not one per request.

Routing is explicit (``.using(...)``): nothing is sent to the replica behind a caller's
back. The router below only keeps migrations and test databases on the primary.
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.db import DatabaseError, connections

log = logging.getLogger("central.db")

PRIMARY = "default"
REPLICA = "replica"

# On the standby: is it one, is it streaming, and how far behind is its replay. Caught up
# (everything received is replayed) counts as 0 s even when the primary has been idle for
# a while (pg_last_xact_replay_timestamp() then ages without any lag).
LAG_SQL = """
SELECT pg_is_in_recovery(),
       (SELECT status FROM pg_stat_wal_receiver LIMIT 1),
       CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
            ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0)
       END
"""

_lock = threading.Lock()
_verdict: tuple[float, str, str] | None = None  # (checked_at, alias, why)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def replica_state() -> tuple[str, str]:
    """``(alias, why)`` without the cache: ``why`` says why the replica is (not) used."""
    if not replica_configured():
        return PRIMARY, "no DATABASE_REPLICA_URL"
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(LAG_SQL)
            in_recovery, receiver, lag = cursor.fetchone()
    except DatabaseError as exc:
        connections[REPLICA].close()
        return PRIMARY, f"replica unreachable: {str(exc).strip()[:200]}"
    if not in_recovery:
        return PRIMARY, "DATABASE_REPLICA_URL is not a standby (pg_is_in_recovery() is false)"
    if receiver != "streaming":
        return PRIMARY, f"replica is not streaming from the primary (wal receiver: {receiver})"
    max_lag = settings.CP_REPLICA_MAX_LAG_S
    if float(lag) > max_lag:
        return PRIMARY, f"replica lags {float(lag):.1f} s (more than {max_lag} s)"
    return REPLICA, f"replica lags {float(lag):.1f} s"


def read_replica() -> str:
    """The database alias for a read that may be a few seconds stale (see module doc)."""
    global _verdict
    if not replica_configured():
        return PRIMARY
    now = time.monotonic()
    verdict = _verdict
    if verdict is not None and now - verdict[0] < settings.CP_REPLICA_CHECK_S:
        return verdict[1]
    with _lock:
        if _verdict is not None and now - _verdict[0] < settings.CP_REPLICA_CHECK_S:
            return _verdict[1]
        alias, why = replica_state()
        if _verdict is None or _verdict[1] != alias:
            level = logging.INFO if alias == REPLICA else logging.WARNING
            log.log(level, "reads for dashboards and exports go to %s: %s", alias, why)
        _verdict = (time.monotonic(), alias, why)
        return alias


def forget_replica_state() -> None:
    """Check the replica again on the next ``read_replica()`` (tests, after a failover)."""
    global _verdict
    with _lock:
        _verdict = None


class PrimaryReplicaRouter:
    """Reads and writes go to the primary unless a caller says ``.using(read_replica())``;
    the replica is never migrated (it replays the primary's schema)."""

    def db_for_read(self, model, **hints):
        return None

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        # Both aliases hold the same data; objects read from either may be related.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY
