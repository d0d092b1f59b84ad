"""A real nginx (Debian's) on loopback for the deployment tests, running the repository's
deploy/nginx/central.conf as written, with only the addresses and the certificate
substituted, inside a minimal nginx.conf of its own (pid, logs and temp files in a
temporary directory; no daemon, no system service touched).

``ensure_tools()`` installs nginx and openssl with apt-get when they are missing (CI runs on
a fresh machine), and skips the test when that is impossible (not root, no apt-get)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONF = ROOT / "deploy" / "nginx" / "central.conf"
APT_PACKAGES = {"nginx": "nginx-light", "openssl": "openssl"}


def ensure_tools() -> None:
    missing = [
        pkg
        for tool, pkg in APT_PACKAGES.items()
        if shutil.which(tool) is None and not Path("/usr/sbin", tool).exists()
    ]
    if not missing:
        return
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        pytest.skip(f"needs {', '.join(missing)} (apt-get install -y {' '.join(missing)})")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env, timeout=300)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing],
        check=True,
        env=env,
        timeout=600,
    )


def nginx_binary() -> str:
    return shutil.which("nginx") or "/usr/sbin/nginx"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_certificate(directory: Path) -> tuple[Path, Path]:
    """A throw-away self-signed certificate for 127.0.0.1 / localhost."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return cert, key


def render(upstreams: list[int], http_port: int, https_port: int, cert: Path, key: Path) -> str:
    """deploy/nginx/central.conf with loopback ports and the test certificate; every
    substitution must apply, so a changed config fails here instead of going untested."""
    text = CONF.read_text()
    servers = "\n    ".join(
        f"server 127.0.0.1:{p} max_fails=3 fail_timeout=10s;" for p in upstreams
    )
    for old, new in (
        ("server 127.0.0.1:8000 max_fails=3 fail_timeout=10s;", servers),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen [::]:80;", ""),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
        ("listen [::]:443 ssl http2;", ""),
        ("/etc/ssl/certs/counterpoint-central.pem", str(cert)),
        ("/etc/ssl/private/counterpoint-central.key", str(key)),
    ):
        assert text.count(old) == 1, f"deploy/nginx/central.conf no longer has {old!r}"
        text = text.replace(old, new)
    return text


class Nginx:
    def __init__(self, directory: Path, upstreams: list[int]) -> None:
        ensure_tools()
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.cert, self.key = make_certificate(self.dir)
        self.http_port, self.https_port = free_port(), free_port()
        (self.dir / "central.conf").write_text(
            render(upstreams, self.http_port, self.https_port, self.cert, self.key)
        )
        d = self.dir
        user = "user root;\n" if os.geteuid() == 0 else ""  # workers read the temp dir
        (d / "nginx.conf").write_text(
            f"{user}daemon off;\nworker_processes 1;\npid {d}/nginx.pid;\n"
            f"error_log {d}/error.log warn;\n"
            "events { worker_connections 1024; }\n"
            "http {\n"
            "  include /etc/nginx/mime.types;\n"
            f"  access_log {d}/access.log;\n"
            f"  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n"
            f"  fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n"
            f"  scgi_temp_path {d}/scgi;\n"
            f"  include {d}/central.conf;\n"
            "}\n"
        )
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    def start(self, timeout: float = 20) -> None:
        cmd = [nginx_binary(), "-p", str(self.dir), "-e", str(self.dir / "error.log"),
               "-c", str(self.dir / "nginx.conf")]  # fmt: skip
        check = subprocess.run([*cmd, "-t"], capture_output=True, text=True, timeout=30)
        assert check.returncode == 0, f"nginx -t refused the config:\n{check.stderr}"
        self.proc = subprocess.Popen(cmd, start_new_session=True, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"nginx exited:\n{self.error_log()}")
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.https_port), timeout=1),
            ):
                return
            time.sleep(0.05)
        raise RuntimeError(f"nginx did not listen within {timeout} s:\n{self.error_log()}")

    def error_log(self) -> str:
        with contextlib.suppress(OSError):
            return (self.dir / "error.log").read_text()[-3000:]
        return ""

    def stop(self) -> None:
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.proc = None
