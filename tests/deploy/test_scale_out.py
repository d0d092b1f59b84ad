"""Scale out: two application servers (gunicorn, deploy/gunicorn.conf.py) behind one nginx
upstream (deploy/nginx/central.conf) over TLS, on one PostgreSQL. Four kiosks drain their
queues through nginx at once while one app server is killed (SIGKILL) and later started
again; central holds every rating exactly once and both servers did part of the work."""

from __future__ import annotations

import os
import random
import threading
import time

import pytest

from tests.deploy.nginx import Nginx
from tests.deploy.servers import DeployedCentral, postgres_url
from tests.e2e.central_server import CentralCtl
from tests.e2e.conftest import (
    assert_central_holds_exactly,
    expected_wire,
    open_store,
    record_ratings,
)
from tests.e2e.test_sync_e2e import drain_with_service, services_of

pytestmark = pytest.mark.slow

KIOSKS = 4
RATINGS = 1500


def served(server, path: str) -> int:
    return sum(
        f'"path": "{path}"' in line and '"status": 200' in line
        for line in server.log_tail(10_000_000).splitlines()
    )


def test_two_app_servers_behind_nginx_one_killed_midway_exactly_once(tmp_path):
    from kiosk.sync.enrol import enrol

    base = postgres_url()
    name = f"counterpoint_deploy_scale_{os.getpid()}"
    a = DeployedCentral(tmp_path / "a", database_url=base, db_name=name, workers=2, threads=2)
    b = DeployedCentral(tmp_path / "b", database_url=base, db_name=name, workers=2, threads=2)
    proxy = ctl = None
    stores = []
    try:
        demo = a.prepare()
        a.start()
        b.start()
        proxy = Nginx(tmp_path / "nginx", [a.port, b.port])
        proxy.start()
        ctl = CentralCtl(a)
        counters = [c["id"] for sp in demo["service_points"] for c in sp["counters"]][:KIOSKS]
        rng = random.Random(55)
        kiosk_ids, expected = [], {}
        for i, counter in enumerate(counters):
            store = open_store(tmp_path / f"kiosk{i}")
            stores.append(store)
            result = enrol(store, proxy.url, ctl("code", counter=counter)["code"],
                           verify=str(proxy.cert))  # fmt: skip
            assert result.catalogue_error is None, result.catalogue_error
            kiosk_ids.append(result.kiosk_id)
            expected.update(expected_wire(store, record_ratings(store, RATINGS, rng,
                                                                 services_of(store))))  # fmt: skip

        errors: list[BaseException] = []

        def drain(i: int) -> None:
            try:
                drain_with_service(tmp_path / f"kiosk{i}", stores[i], timeout=240, batch_size=25)
            except BaseException as exc:  # reported below
                errors.append(exc)

        threads = [threading.Thread(target=drain, args=(i,)) for i in range(KIOSKS)]
        started = time.monotonic()
        for t in threads:
            t.start()
        # Kill app server A once it has stored some batches; start it again later.
        deadline = time.monotonic() + 60
        while served(a, "/api/v1/kiosk/ratings") < 10 and time.monotonic() < deadline:
            time.sleep(0.1)
        a.kill()
        killed_at = sum(store.queue_depth() for store in stores)
        time.sleep(3)
        a.start()
        for t in threads:
            t.join(timeout=300)
        elapsed = time.monotonic() - started
        assert not errors, errors[0]
        assert all(not t.is_alive() for t in threads)
        assert 0 < killed_at < KIOSKS * RATINGS, "the kill did not land mid-stream"
        assert_central_holds_exactly(ctl, kiosk_ids, expected)
        for store in stores:
            assert store.queue_depth() == 0 and store.status()["rejected"] == 0
        by_a, by_b = served(a, "/api/v1/kiosk/ratings"), served(b, "/api/v1/kiosk/ratings")
        print(f"\n{KIOSKS * RATINGS} ratings through nginx in {elapsed:.1f} s; ratings batches "
              f"answered: A {by_a}, B {by_b}; A killed with {killed_at} still queued")  # fmt: skip
        assert by_a >= 10 and by_b >= 10
        with open(proxy.dir / "access.log") as log:
            statuses = [line.split('" ')[1].split()[0] for line in log if '" ' in line]
        assert statuses.count("200") > KIOSKS * RATINGS // 25
        assert ctl("count") == {"count": KIOSKS * RATINGS, "distinct": KIOSKS * RATINGS}
    finally:
        if ctl is not None:
            ctl.close()
        for store in stores:
            store.close()
        if proxy is not None:
            proxy.stop()
        b.stop()
        a.close()
