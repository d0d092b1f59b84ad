"""The kiosk's .deb, installed on this machine and removed again (apt-get, as an office
would): the locked-down user, paths and modes, the systemd unit (linted by
systemd-analyze), ratings queued with one build that survive the upgrade to the next and
then reach a real central, an older build refusing a newer database, removal keeping
the data and purge deleting it (and saying so)."""

from __future__ import annotations

import grp
import hashlib
import json
import os
import pwd
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.packaging.conftest import KIOSK_NAME, ROOT, clean_env, run

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(3600),  # the session fixtures build inside the first test's time
    pytest.mark.skipif(
        os.geteuid() != 0 or shutil.which("apt-get") is None,
        reason="installs a .deb on this machine: needs root and apt-get",
    ),
]

DATA = Path("/var/lib/counterpoint-kiosk")
OPT = Path("/opt/counterpoint-kiosk")
UNIT = Path("/lib/systemd/system/counterpoint-kiosk.service")
USER = "cpkiosk"
APT = ["apt-get", "-y", "-q", "-o", "DPkg::Lock::Timeout=600", "--no-install-recommends"]


def apt(*args: str) -> subprocess.CompletedProcess:
    env = clean_env(DEBIAN_FRONTEND="noninteractive")
    return run([*APT, *args], env=env, timeout=900)


def purge() -> subprocess.CompletedProcess:
    return apt("purge", KIOSK_NAME)


def as_kiosk(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    """The installed program, run as the kiosk's user (as the unit does)."""
    cmd = ["setpriv", f"--reuid={USER}", f"--regid={USER}", "--init-groups", KIOSK_NAME, *args]
    env = clean_env(HOME=str(DATA))
    if check:
        return run(cmd, env=env, cwd="/", timeout=300)
    return subprocess.run(cmd, env=env, cwd="/", capture_output=True, text=True, timeout=300)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def shared_tmp():
    """A folder the kiosk's user can reach (pytest's own are 0700 under root's)."""
    path = Path(tempfile.mkdtemp(prefix="cp-deb-", dir="/var/tmp"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def installed(debs):
    old, _new = debs
    subprocess.run([*APT, "purge", KIOSK_NAME], capture_output=True)  # a leftover run
    out = apt("install", str(old))
    yield out
    # Leave the machine as it was (the last test purges already; then this is a no-op).
    if subprocess.run(["dpkg", "-s", KIOSK_NAME], capture_output=True).returncode == 0:
        purge()


def test_package_contents(debs):
    old, _ = debs
    info = run(["dpkg-deb", "--field", str(old)]).stdout
    assert f"Package: {KIOSK_NAME}" in info and "Version: 0.1.0-1" in info
    assert "cage" in info and "xwayland" in info
    listing = run(["dpkg-deb", "--contents", str(old)]).stdout
    assert f"./opt/{KIOSK_NAME}/{KIOSK_NAME}" in listing
    assert "./var/" not in listing, "the package must not own the data folder"
    assert all(" root/root " in line for line in listing.splitlines())
    print(f".deb: {old.stat().st_size / 2**20:.1f} MiB")


def test_install_user_paths_and_unit(installed):
    user = pwd.getpwnam(USER)
    assert user.pw_uid < 1000, "not a system user"
    assert user.pw_shell in ("/usr/sbin/nologin", "/sbin/nologin")
    assert user.pw_dir == str(DATA)
    shadow = run(["passwd", "--status", USER]).stdout.split()
    assert shadow[1] == "L", "the kiosk user's password must be locked"
    assert grp.getgrgid(user.pw_gid).gr_name == USER

    st = DATA.stat()
    assert (st.st_uid, stat.S_IMODE(st.st_mode)) == (user.pw_uid, 0o700)
    program = OPT / KIOSK_NAME
    st = program.stat()
    assert st.st_uid == 0 and stat.S_IMODE(st.st_mode) == 0o755
    writable = [p for p in OPT.rglob("*") if not p.is_symlink() and p.stat().st_mode & stat.S_IWOTH]
    assert writable == [], "files of the build writable by others"
    assert Path("/usr/bin/counterpoint-kiosk").resolve() == program
    assert Path("/etc/pam.d/counterpoint-kiosk").is_file()

    unit = UNIT.read_text()
    for line in (
        "Type=notify",
        "NotifyAccess=all",
        "WatchdogSec=30",
        "Restart=on-failure",
        f"User={USER}",
        "StateDirectory=counterpoint-kiosk",
        "StandardError=journal",
        "RuntimeDirectory=counterpoint-kiosk",
        "ExecStart=/usr/bin/env XDG_RUNTIME_DIR=/run/counterpoint-kiosk /usr/bin/cage -d -- "
        "/opt/counterpoint-kiosk/counterpoint-kiosk run --data-dir /var/lib/counterpoint-kiosk",
    ):
        assert line in unit.splitlines(), line
    lint = subprocess.run(
        ["systemd-analyze", "verify", str(UNIT)], capture_output=True, text=True, timeout=120
    )
    ours = [line for line in (lint.stdout + lint.stderr).splitlines() if "counterpoint" in line]
    assert lint.returncode == 0 and ours == [], lint.stdout + lint.stderr


def _queue_file(tmp_path: Path, shared: Path, n: int) -> tuple[Path, list[str]]:
    """A queue of ``n`` ratings taken on a kiosk (the source tree's store)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    script = (
        "import json, random, sys\n"
        "from pathlib import Path\n"
        "from kiosk.storage import KioskStore\n"
        "s = KioskStore.open(Path(sys.argv[1]))\n"
        "s.set_setting('min_rating_interval_s', 0)\n"
        "print(json.dumps([s.record_rating(random.randint(1, 5), None).uuid"
        f" for _ in range({n})]))\n"
        "s.close()\n"
    )
    uuids = json.loads(
        subprocess.run(
            [sys.executable, "-c", script, str(tmp_path / "taken")],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    queue = shared / "queue.json"
    run(
        [
            sys.executable,
            "-m",
            "kiosk",
            "export-queue",
            str(queue),
            "--data-dir",
            str(tmp_path / "taken"),
        ],
        env=env,
        cwd=ROOT,
    )
    queue.chmod(0o644)
    return queue, uuids


def test_upgrade_keeps_the_queue_which_then_reaches_central(installed, debs, tmp_path, shared_tmp):
    from tests.e2e.central_server import CentralCtl, CentralServer

    _old, new = debs
    # Ratings queued by the installed build, in its data folder.
    queue, uuids = _queue_file(tmp_path, shared_tmp, 25)
    assert (
        "imported 25 ratings"
        in as_kiosk("import-queue", str(queue), "--data-dir", str(DATA)).stdout
    )
    before = json.loads(as_kiosk("status", "--json", "--data-dir", str(DATA)).stdout)
    assert before["queue_depth"] == 25

    out = apt("install", str(new))
    assert "0.1.0-2" in run(["dpkg-query", "-W", KIOSK_NAME]).stdout, out.stdout
    after = json.loads(as_kiosk("status", "--json", "--data-dir", str(DATA)).stdout)
    assert after["queue_depth"] == 25
    assert after["local_kiosk_id"] == before["local_kiosk_id"]
    assert stat.S_IMODE(DATA.stat().st_mode) == 0o700

    # ... then the upgraded kiosk enrols with a real central and sends them all.
    server = CentralServer(tmp_path / "central", database_url=None, workers=1)
    try:
        server.demo = server.prepare()
        server.start()
        ctl = CentralCtl(server)
        try:
            counter = server.demo["service_points"][0]["counters"][0]["id"]
            code = ctl("code", counter=counter)["code"]
            enrolled = as_kiosk(
                "enroll", "--server", server.url, "--code", code, "--data-dir", str(DATA)
            )
            kiosk_id = enrolled.stdout.split()[2]
            as_kiosk("sync", "--once", "--data-dir", str(DATA))
            stored = ctl("ratings", kiosk=kiosk_id)["ratings"]
        finally:
            ctl.close()
    finally:
        server.close()
    assert sorted(r["uuid"] for r in stored) == sorted(uuids)
    final = json.loads(as_kiosk("status", "--json", "--data-dir", str(DATA)).stdout)
    assert final["queue_depth"] == 0


def test_older_build_refuses_a_newer_database(installed, shared_tmp):
    folder = shared_tmp / "newer"
    folder.mkdir()
    # As a newer kiosk leaves it: WAL mode, a schema version this build does not know.
    conn = sqlite3.connect(folder / "kiosk.db")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    conn.execute("INSERT INTO settings VALUES ('kiosk_id', '\"from-the-future\"')")
    conn.execute("PRAGMA user_version = 999")
    conn.commit()
    conn.close()
    shutil.chown(folder, USER, USER)
    shutil.chown(folder / "kiosk.db", USER, USER)
    before = {p.name: digest(p) for p in folder.iterdir()}
    out = as_kiosk("status", "--data-dir", str(folder), check=False)
    assert out.returncode == 3, out.stdout + out.stderr
    assert "newer" in out.stderr and "999" in out.stderr, out.stderr
    assert {p.name: digest(p) for p in folder.iterdir()} == before, "the database was changed"


def test_remove_keeps_data_and_purge_deletes_it_saying_so(installed):
    assert (DATA / "kiosk.db").is_file()
    kept = digest(DATA / "kiosk.db")
    out = apt("remove", KIOSK_NAME)
    assert not OPT.exists() and not UNIT.exists()
    assert digest(DATA / "kiosk.db") == kept
    assert "kept /var/lib/counterpoint-kiosk" in out.stdout + out.stderr
    out = purge()
    said = out.stdout + out.stderr
    assert "purge deletes /var/lib/counterpoint-kiosk" in said
    assert "kiosk.db" in said  # it lists what it deletes
    assert f"deletes the system user {USER}" in said
    assert not DATA.exists()
    with pytest.raises(KeyError):
        pwd.getpwnam(USER)
