"""A full disk does not stop the queue from leaving: a sync pass needs no write before it
pushes (a real tmpfs filled to the last byte, a real HTTP server on loopback)."""

from __future__ import annotations

import pytest

from tests.kiosk.fake_central import FakeCentral
from tests.kiosk.test_storage_faults import mounts, run_isolated  # noqa: F401 - fixture

BODY = r"""
from kiosk.sync.client import CentralClient
from kiosk.sync.engine import SyncConfig, SyncEngine
from kiosk.sync.enrol import enrol

data, url, n, size = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
data.mkdir(parents=True)
sh("mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", data)
s = KioskStore.open(data)
s.set_setting("min_rating_interval_s", 0)
s.set_setting("followup_hold_s", 0)
enrol(s, url, "GOOD-CODE-0001")
uuids = [s.record_rating(4, None).uuid for _ in range(n)]
fd = os.open(data / ".filler", os.O_WRONLY | os.O_CREAT)
try:
    while True:
        os.write(fd, b"\0" * 65536)
except OSError:
    pass
try:
    os.fsync(fd)
except OSError:
    pass
os.close(fd)
full = True
try:
    s.set_setting("probe", "x" * 20_000_000)
    full = False
except StorageFullError:
    pass
rec = s.enrolment()
client = CentralClient(rec["server_url"], rec["credential"], timeout=(2, 5))
engine = SyncEngine(s, client, kiosk_id=rec["kiosk_id"], config=SyncConfig(), app_version="t")
result = engine.run()
print(json.dumps({"full": full, "sent": result.sent, "uuids": uuids, "error": result.error_text}))
"""


@pytest.mark.parametrize(("n", "size"), [(50, "3m"), (1200, "8m")])
def test_sync_pushes_queued_ratings_while_the_disk_is_full(mounts, tmp_path, n, size):  # noqa: F811
    fake = FakeCentral()
    try:
        out = run_isolated(BODY, tmp_path / "data", fake.url, n, size)
        assert out["full"], "the disk really was full"
        assert out["sent"] == n, out["error"]
        assert set(out["uuids"]) <= set(fake.ratings), "every queued rating reached central"
        if out["error"]:  # the answers could not all be stored: the pass says why
            assert "full" in out["error"]
    finally:
        fake.close()
