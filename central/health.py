"""``GET /health``: is this central able to serve? For load balancers and monitoring.

200 ``{"status": "ok", ...}`` when the primary database answers and every migration this
code ships is applied; 503 ``{"status": "unavailable", ...}`` naming what is wrong
otherwise (the database is down, or a deploy forgot ``python -m central migrate``). When a
read replica is configured its state is reported too, but a lagging or missing replica
does not fail the check (dashboards then read from the primary; see central/db.py).
No login and no database write; the answer is never cached.
"""

from __future__ import annotations

import functools

from django.db import DatabaseError, connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.views.decorators.csrf import csrf_exempt

from central import db
from central.api.errors import json_response


@functools.cache
def _shipped_migrations() -> frozenset[tuple[str, str]]:
    """Every migration in the code (read from disk once per process)."""
    loader = MigrationLoader(None, ignore_no_migrations=True, load=True)
    return frozenset(loader.graph.nodes)


def check() -> tuple[bool, dict]:
    report: dict = {}
    healthy = True
    conn = connections[db.PRIMARY]
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        applied = set(MigrationRecorder(conn).applied_migrations())
    except DatabaseError as exc:
        conn.close()
        report["database"] = f"unreachable: {str(exc).strip()[:200]}"
        return False, report
    report["database"] = "ok"
    pending = sorted(f"{app}.{name}" for app, name in _shipped_migrations() - applied)
    if pending:
        healthy = False
        report["migrations"] = {"pending": pending[:20], "count": len(pending)}
    else:
        report["migrations"] = "ok"
    if db.replica_configured():
        alias, why = db.replica_state()
        report["replica"] = {"used": alias == db.REPLICA, "detail": why}
    return healthy, report


@csrf_exempt
def health(request):
    if request.method not in ("GET", "HEAD"):
        return json_response(
            {"error": "method_not_allowed", "detail": "Use GET."}, 405, {"Allow": "GET, HEAD"}
        )
    healthy, report = check()
    return json_response(
        {"status": "ok" if healthy else "unavailable", **report}, 200 if healthy else 503
    )
