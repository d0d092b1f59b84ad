"""Disk full and read-only storage, produced by real mechanisms, not mocks:

- a database size limit (``KioskStore.open(max_db_bytes=...)``, i.e. PRAGMA max_page_count);
- a size-limited tmpfs filled to the last byte (ENOSPC);
- a read-only bind mount of the data folder;
- an ext4 image whose file system switches to read-only under the running store, as
  ext4 does after a disk error (``errors=remount-ro``).

The mounts are made inside a private mount namespace (``unshare --mount``) of a child
process, so nothing leaks to the machine even if a test dies; those tests need root and
are skipped without it. Running as root, chmod cannot make a file read-only, hence mounts.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from kiosk.storage import KioskStore, StorageFullError

REPO = Path(__file__).resolve().parents[2]

PRELUDE = """
import errno, json, os, subprocess, sys
from pathlib import Path
from kiosk.storage import KioskStore, StorageError, StorageFullError, StorageReadOnlyError

def sh(*cmd):
    subprocess.run([str(c) for c in cmd], check=True, capture_output=True)

def listing(folder):
    return sorted(p.name for p in Path(folder).iterdir() if not p.name.startswith('.'))
"""


@functools.cache
def private_mounts_work() -> bool:
    if os.name != "posix" or os.geteuid() != 0 or not shutil.which("unshare"):
        return False
    with tempfile.TemporaryDirectory() as d:
        probe = ["unshare", "--mount", "--propagation", "private"]
        probe += ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", d]
        return subprocess.run(probe, capture_output=True).returncode == 0


@pytest.fixture
def mounts():
    if not private_mounts_work():
        pytest.skip("needs root and mount namespaces (unshare --mount)")


def run_isolated(body: str, *args: object) -> dict:
    """Run PRELUDE + body in a child process with its own mount namespace; return the
    JSON object it prints last."""
    proc = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", sys.executable, "-c", PRELUDE + body]
        + [str(a) for a in args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def crash_after_ratings(data_dir: Path, n: int) -> list[str]:
    """A kiosk process that records n ratings and dies without closing (like a power
    cut after the commits): its -wal and -shm stay behind."""
    script = (
        "import os, sys\nfrom pathlib import Path\nfrom kiosk.storage import KioskStore\n"
        "s = KioskStore.open(Path(sys.argv[1]))\n"
        f"for _ in range({n}):\n    print(s.record_rating(5, 'ID_RENEW').uuid, flush=True)\n"
        "os._exit(0)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, str(data_dir)],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    return out.stdout.split()


# ---------------------------------------------------------------- disk full


def test_size_limit_gives_storage_full_and_keeps_every_acknowledged_rating(tmp_path):
    data = tmp_path / "data"
    with KioskStore.open(data) as s:
        acknowledged = [s.record_rating(5, None).uuid for _ in range(3)]
    with KioskStore.open(data, max_db_bytes=1) as s:  # may not grow past its current size
        with pytest.raises(StorageFullError) as full:
            for _ in range(5000):
                acknowledged.append(s.record_rating(4, "ID_RENEW").uuid)
        assert "full" in str(full.value)
        with pytest.raises(StorageFullError):
            s.set_setting("big", "x" * 50_000)
        # Nothing half-written: every acknowledged rating is there, nothing else.
        assert s.queue_depth() == len(acknowledged)
        assert all(s.rating(u)["state"] == "pending" for u in acknowledged)
        assert s.get_setting("big") is None
        assert s.status()["queued"] == len(acknowledged)
    with KioskStore.open(data) as s:
        assert all(s.rating(u)["state"] == "pending" for u in acknowledged)
        assert s.record_rating(3, None).seq == len(acknowledged) + 1  # no gap, no reuse


def test_crash_leftover_wal_keeps_ratings_even_if_the_main_file_header_is_hit(tmp_path):
    data = tmp_path / "data"
    acknowledged = crash_after_ratings(data, 10)
    assert (data / "kiosk.db-wal").exists()
    with (data / "kiosk.db").open("r+b") as f:
        f.write(os.urandom(100))  # the header page is also in the WAL
    with KioskStore.open(data) as s:
        assert all(s.rating(u)["state"] == "pending" for u in acknowledged)


def test_full_disk_gives_storage_full_and_recovers_when_space_returns(tmp_path, mounts):
    out = run_isolated(
        """
mnt = Path(sys.argv[1])
sh("mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", mnt)
store = KioskStore.open(mnt / "data")
acknowledged = [store.record_rating(5, "ID_RENEW").uuid for _ in range(3)]
try:
    with open(mnt / "filler", "wb") as f:
        f.write(b"\\0" * (8 << 20))  # more than the disk holds
except OSError as exc:
    assert exc.errno == errno.ENOSPC, exc
out = {"error": None, "other": None}
for _ in range(10000):
    try:
        acknowledged.append(store.record_rating(4, None).uuid)
    except StorageFullError as exc:
        out["error"] = str(exc)
        break
    except StorageError as exc:
        out["other"] = repr(exc)
        break
out["intact_while_full"] = all(store.rating(u) is not None for u in acknowledged)
out["queued_while_full"] = store.queue_depth() == len(acknowledged)
os.unlink(mnt / "filler")
ref = store.record_rating(3, None)
acknowledged.append(ref.uuid)
out["seq_after"] = ref.seq
out["acknowledged"] = len(acknowledged)
store.close()
with KioskStore.open(mnt / "data") as again:
    out["intact_after_reopen"] = all(
        again.rating(u)["state"] == "pending" for u in acknowledged
    )
    out["queued"] = again.queue_depth()
print(json.dumps(out))
""",
        tmp_path,
    )
    assert out["other"] is None
    assert out["error"] and "full" in out["error"]
    assert out["intact_while_full"] and out["queued_while_full"]
    assert out["seq_after"] == out["acknowledged"]  # the failed writes left no trace
    assert out["intact_after_reopen"] and out["queued"] == out["acknowledged"]


# ---------------------------------------------------------------- read-only


def test_read_only_data_folder_refuses_to_open_and_destroys_nothing(tmp_path, mounts):
    data = tmp_path / "data"
    with KioskStore.open(data) as s:
        clean = [s.record_rating(5, None).uuid for _ in range(3)]
    crashed = tmp_path / "crashed"
    in_wal = crash_after_ratings(crashed, 5)  # -wal/-shm left behind
    out = run_isolated(
        """
result = {}
for folder in sys.argv[1:3]:
    sh("mount", "--bind", folder, folder)
    sh("mount", "-o", "remount,ro,bind", folder, folder)
    before = listing(folder)
    try:
        KioskStore.open(Path(folder)).close()
        result[folder] = "opened"
    except StorageReadOnlyError as exc:
        result[folder] = "read-only: " + str(exc)
    except Exception as exc:
        result[folder] = "other: " + repr(exc)
    result[folder + ":unchanged"] = listing(folder) == before
try:
    KioskStore.open(Path(sys.argv[1]) / "new-subfolder")
    result["new"] = "opened"
except StorageReadOnlyError as exc:
    result["new"] = "read-only: " + str(exc)
print(json.dumps(result))
""",
        data,
        crashed,
    )
    for folder in (data, crashed):
        assert out[str(folder)].startswith("read-only: "), out[str(folder)]
        assert "read-only" in out[str(folder)] and str(folder) in out[str(folder)]
        assert out[f"{folder}:unchanged"]
    assert out["new"].startswith("read-only: ")
    # Writable again (the mount is gone): everything is there, nothing was moved aside.
    with KioskStore.open(data) as s:
        assert s.recovered_from is None
        assert all(s.rating(u)["state"] == "pending" for u in clean)
    with KioskStore.open(crashed) as s:
        assert s.recovered_from is None
        assert all(s.rating(u)["state"] == "pending" for u in in_wal)
    assert not [p for p in data.iterdir() if "corrupt" in p.name]


def test_disk_turning_read_only_under_the_running_store(tmp_path, mounts):
    """ext4 with errors=remount-ro stops all writes after a disk error; the store reports
    StorageReadOnlyError, keeps serving reads, and the ratings committed before are on
    disk after a file system check."""
    if not (shutil.which("mkfs.ext4") and shutil.which("e2fsck")):
        pytest.skip("needs e2fsprogs (mkfs.ext4, e2fsck)")
    image = tmp_path / "disk.ext4"
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    with image.open("wb") as f:
        f.truncate(16 << 20)
    subprocess.run(["mkfs.ext4", "-q", "-F", str(image)], check=True, capture_output=True)
    out = run_isolated(
        """
image, mnt = Path(sys.argv[1]), Path(sys.argv[2])
try:
    sh("mount", "-o", "loop,errors=remount-ro", image, mnt)
except subprocess.CalledProcessError as exc:
    print(json.dumps({"skip": "cannot loop-mount: " + exc.stderr.decode()}))
    sys.exit(0)
store = KioskStore.open(mnt / "data")
saved = [store.record_rating(s, "ID_RENEW").uuid for s in (5, 4, 3)]
store.update_followup(saved[0], asked_for_copy=False)
dev = Path(subprocess.check_output(["findmnt", "-n", "-o", "SOURCE", str(mnt)], text=True).strip())
trigger = Path("/sys/fs/ext4") / dev.name / "trigger_fs_error"
if not trigger.exists():
    print(json.dumps({"skip": "kernel has no ext4 trigger_fs_error"}))
    sys.exit(0)
trigger.write_text("1")
out = {}
for name, write in [
    ("rating", lambda: store.record_rating(2, None)),
    ("followup", lambda: store.update_followup(saved[1], comment="x")),
    ("setting", lambda: store.set_setting("k", "v")),
]:
    try:
        write()
        out[name] = "written?!"
    except StorageReadOnlyError as exc:
        out[name] = "read-only: " + str(exc)
    except Exception as exc:
        out[name] = "other: " + repr(exc)
out["reads"] = [store.rating(u)["score"] for u in saved]
out["saved"] = saved
out["services"] = len(store.counter_services())
store.close()
print(json.dumps(out))
""",
        image,
        mnt,
    )
    if "skip" in out:
        pytest.skip(out["skip"])
    for name in ("rating", "followup", "setting"):
        assert out[name].startswith("read-only: "), out[name]
    assert out["reads"] == [5, 4, 3] and out["services"] > 0
    fsck = subprocess.run(["e2fsck", "-f", "-y", str(image)], capture_output=True)
    assert fsck.returncode in (0, 1), fsck.stdout  # 1: errors corrected
    after = run_isolated(
        """
image, mnt = Path(sys.argv[1]), Path(sys.argv[2])
sh("mount", "-o", "loop", image, mnt)
with KioskStore.open(mnt / "data") as store:
    rows = [store.rating(u) for u in sys.argv[3:]]
    out = {"rows": rows, "queued": store.queue_depth(),
           "recovered": str(store.recovered_from) if store.recovered_from else None}
print(json.dumps(out))
""",
        image,
        mnt,
        *out["saved"],
    )
    assert after["recovered"] is None and after["queued"] == 3
    assert [r["score"] for r in after["rows"]] == [5, 4, 3]
    assert all(r["state"] == "pending" for r in after["rows"])
    assert after["rows"][0]["asked_for_copy"] is False
    assert after["rows"][1]["comment"] is None  # the refused follow-up left no trace
