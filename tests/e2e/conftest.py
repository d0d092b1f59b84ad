"""End-to-end fixtures: a real central process (gunicorn) on loopback, on SQLite or on
PostgreSQL (``DATABASE_URL=postgres://...``: a database of its own, created and dropped
here), its admin helper, a fault-injecting proxy, and enrolled kiosks."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import random  # noqa: E402
from datetime import datetime, timedelta  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from tests.e2e.central_server import CentralCtl, CentralServer  # noqa: E402
from tests.e2e.proxy import FaultProxy  # noqa: E402


@pytest.fixture(scope="session")
def central(tmp_path_factory):
    url = os.environ.get("DATABASE_URL", "").strip()
    if url and not url.startswith(("postgres://", "postgresql://")):
        pytest.fail(f"the end-to-end suite runs on SQLite or PostgreSQL, not {url}")
    server = CentralServer(tmp_path_factory.mktemp("central"), database_url=url or None)
    try:
        server.demo = server.prepare()
        server.start()
        yield server
    finally:
        server.close()


@pytest.fixture(scope="session")
def ctl(central):
    helper = CentralCtl(central)
    yield helper
    helper.close()


@pytest.fixture(scope="session")
def counter_id(central) -> str:
    """A demo counter whose catalogue the kiosk accepts (the first one by default)."""
    return central.demo["service_points"][0]["counters"][0]["id"]


@pytest.fixture
def proxy(central):
    p = FaultProxy(central.port, seed=random.randrange(1 << 30))
    yield p
    p.close()


def open_store(data_dir: Path, offset: timedelta = timedelta(0), **settings):
    """A kiosk store; ``offset`` moves the kiosk's clock. Followed-up ratings go out at
    once (``followup_hold_s`` 0) unless a setting says otherwise."""
    from kiosk.storage import KioskStore

    def now() -> datetime:
        return datetime.now().astimezone() + offset

    store = KioskStore.open(data_dir, now=now if offset else None)
    for key, value in {"followup_hold_s": 0, "min_rating_interval_s": 0, **settings}.items():
        store.set_setting(key, value)
    return store


def enrol(store, server_url: str, ctl, counter: str):
    from kiosk.sync.enrol import enrol as do_enrol

    result = do_enrol(store, server_url, ctl("code", counter=counter)["code"])
    # Fail here, with central's and the kiosk's own words, rather than time out later.
    assert result.catalogue_error is None, (
        f"enrolled, but the kiosk cannot use central's catalogue: {result.catalogue_error}"
    )
    return result


COMMENTS = [
    None,
    "พนักงานบริการดีมาก",
    "รอนานเกินไป",
    "Quick and friendly, thank you",
    'quotes " and \\ backslash, tab\tnew\nline',
    "ก" * 500,
    "emoji-free but mixed ไทย/English 123",
]


def record_ratings(store, n: int, rng: random.Random, services: list[str]) -> list[str]:
    """``n`` ratings with varied answers; returns their uuids in order."""
    from kiosk.storage import DIMENSIONS

    uuids = []
    for _ in range(n):
        code = rng.choice([*services, None])
        ref = store.record_rating(rng.randint(1, 5), code)
        if rng.random() < 0.7:
            dims = rng.sample(DIMENSIONS, rng.randint(0, 3))
            store.update_followup(
                ref.uuid,
                dimensions=dims,
                asked_for_copy=rng.choice([True, False, None]),
                comment=rng.choice(COMMENTS),
            )
        uuids.append(ref.uuid)
    return uuids


def expected_wire(store, uuids: list[str]) -> dict[str, dict]:
    out = {}
    for u in uuids:
        r = store.rating(u)
        out[u] = {k: r[k] for k in WIRE_FIELDS}
    return out


WIRE_FIELDS = (
    "uuid",
    "seq",
    "score",
    "service_code",
    "dimensions",
    "asked_for_copy",
    "comment",
    "interval_flag",
)


def assert_central_holds_exactly(ctl, kiosks: list[str], expected: dict[str, dict]) -> list[dict]:
    """Central holds exactly the expected ratings (by uuid), each once, field by field."""
    rows = []
    for k in kiosks:
        rows += ctl("ratings", kiosk=k)["ratings"]
    uuids = [r["uuid"] for r in rows]
    assert len(uuids) == len(set(uuids)), "central stored a uuid twice"
    missing = set(expected) - set(uuids)
    extra = set(uuids) - set(expected)
    assert not missing, f"{len(missing)} ratings never reached central"
    assert not extra, f"central holds {len(extra)} ratings the kiosk never sent"
    assert len(rows) == len(expected)
    for row in rows:
        want = expected[row["uuid"]]
        got = {k: row[k] for k in WIRE_FIELDS}
        got["dimensions"] = sorted(got["dimensions"])
        want = dict(want, dimensions=sorted(want["dimensions"]))
        assert got == want, f"rating {row['uuid']} differs on central"
    return rows
