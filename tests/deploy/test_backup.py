"""Backup and restore, as docs/operations.md says to do it: pg_dump of a live central,
pg_restore into a fresh database, central started on the restored database at the same
address. Every table holds the same number of rows, a sample of ratings is identical
column by column, and the kiosks carry on syncing (ratings queued since the backup arrive,
ratings sent again come back "duplicate", nothing is stored twice)."""

from __future__ import annotations

import json
import os
import random
import subprocess
import urllib.request

import psycopg
import pytest

from tests.deploy.servers import DeployedCentral, postgres_url
from tests.e2e.central_server import CentralCtl
from tests.e2e.conftest import (
    assert_central_holds_exactly,
    enrol,
    expected_wire,
    open_store,
    record_ratings,
)
from tests.e2e.test_sync_e2e import drain_with_service, services_of

pytestmark = pytest.mark.slow


def table_counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as c:
        tables = [t for (t,) in c.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        )]  # fmt: skip
        return {t: c.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def rating_rows(url: str, uuids: list[str]) -> dict[str, dict]:
    with psycopg.connect(url) as c:
        rows = c.execute(
            "SELECT uuid::text, row_to_json(r)::text FROM ratings_rating r "
            "WHERE uuid::text = ANY(%s)",
            (uuids,),
        ).fetchall()
    return {u: json.loads(row) for u, row in rows}


def test_pg_dump_restore_and_the_kiosks_keep_syncing(tmp_path):
    base = postgres_url()
    pid = os.getpid()
    live = DeployedCentral(tmp_path / "live", database_url=base,
                           db_name=f"counterpoint_deploy_live_{pid}")  # fmt: skip
    restored = DeployedCentral(tmp_path / "restored", database_url=base,
                               db_name=f"counterpoint_deploy_restored_{pid}")  # fmt: skip
    stores, ctl = [], None
    try:
        demo = live.prepare()
        live.start()
        ctl = CentralCtl(live)
        counters = [c["id"] for sp in demo["service_points"] for c in sp["counters"]][:2]
        rng = random.Random(12)
        kiosks, expected, sent_before = [], {}, {}
        for i, counter in enumerate(counters):
            store = open_store(tmp_path / f"kiosk{i}")
            stores.append(store)
            kiosk_id = enrol(store, live.url, ctl, counter).kiosk_id
            kiosks.append(kiosk_id)
            uuids = record_ratings(store, 300, rng, services_of(store))
            drain_with_service(tmp_path / f"kiosk{i}", store, timeout=120)
            sent_before[kiosk_id] = expected_wire(store, uuids)
            expected.update(sent_before[kiosk_id])
        ctl.close()
        ctl = None

        # Backup of the live database (custom format), while central is serving.
        dump = tmp_path / "central.dump"
        subprocess.run(["pg_dump", "--format=custom", f"--file={dump}", live.database_url],
                       check=True, timeout=300)  # fmt: skip
        # Kiosks keep rating after the backup; these are queued when central goes down.
        for store in stores:
            expected.update(
                expected_wire(store, record_ratings(store, 100, rng, services_of(store)))
            )
        live.stop()

        # Restore into a fresh database and serve it at the same address.
        restored.create_database()
        subprocess.run(["pg_restore", "--no-owner", "--exit-on-error",
                        f"--dbname={restored.database_url}", str(dump)],
                       check=True, timeout=300)  # fmt: skip
        assert table_counts(restored.database_url) == table_counts(live.database_url)
        sample = random.Random(5).sample(sorted(sent_before[kiosks[0]]), 40)
        sample += random.Random(6).sample(sorted(sent_before[kiosks[1]]), 40)
        before, after = (
            rating_rows(live.database_url, sample),
            rating_rows(restored.database_url, sample),
        )
        assert len(before) == 80 and before == after
        restored.port = live.port
        restored.env["CP_BIND"] = f"127.0.0.1:{live.port}"
        restored.start()
        with urllib.request.urlopen(f"{restored.url}/health", timeout=10) as r:
            assert json.loads(r.read())["status"] == "ok"

        # A batch from before the backup sent again: every item "duplicate".
        credential = stores[0].enrolment()["credential"]
        again = [stores[0].rating(u) for u in list(sent_before[kiosks[0]])[:50]]
        body = {"ratings": [{k: v for k, v in r.items() if k not in ("state", "reason")}
                            for r in again]}  # fmt: skip
        request = urllib.request.Request(
            f"{restored.url}/api/v1/kiosk/ratings", data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {credential}"},
        )  # fmt: skip
        with urllib.request.urlopen(request, timeout=30) as r:
            results = json.loads(r.read())["results"]
        assert [x["status"] for x in results] == ["duplicate"] * 50

        # The kiosks drain what they queued since the backup into the restored central.
        for i, store in enumerate(stores):
            drain_with_service(tmp_path / f"kiosk{i}", store, timeout=120)
        ctl = CentralCtl(restored)
        assert_central_holds_exactly(ctl, kiosks, expected)
    finally:
        if ctl is not None:
            ctl.close()
        for store in stores:
            store.close()
        live.close()
        restored.close()
