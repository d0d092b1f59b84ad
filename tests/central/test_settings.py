"""Strict parsing of the environment (central.env) and the settings module's guards."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from central.env import parse_bool, parse_database_url, parse_int, parse_list

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "raw, expected",
    [("1", True), ("true", True), ("YES", True), ("on", True), ("0", False), ("False", False),
     ("no", False), ("off", False), ("", None), ("  ", None)],
)  # fmt: skip
def test_parse_bool(raw, expected):
    assert parse_bool({"X": raw}, "X", None) is expected


@pytest.mark.parametrize("raw", ["2", "y", "tru", "enabled", "01"])
def test_parse_bool_refuses_anything_else(raw):
    with pytest.raises(ImproperlyConfigured, match="X="):
        parse_bool({"X": raw}, "X", False)


def test_parse_int_and_list():
    assert parse_int({}, "N", 7) == 7
    assert parse_int({"N": " 12 "}, "N", 7) == 12
    for bad in ("1.5", "ten", "-1"):
        with pytest.raises(ImproperlyConfigured):
            parse_int({"N": bad}, "N", 7)
    assert parse_list({"H": "a.example, b.example,,"}, "H", []) == ["a.example", "b.example"]
    assert parse_list({}, "H", ["x"]) == ["x"]


def test_database_url_default_is_sqlite_in_data_dir(tmp_path):
    db = parse_database_url(None, tmp_path)
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert db["NAME"] == str(tmp_path / "central.sqlite3")
    assert parse_database_url("  ", tmp_path)["NAME"] == db["NAME"]


def test_database_url_postgres(tmp_path):
    db = parse_database_url(
        "postgres://cp%40user:s3cr%2Ft@db.example:6543/counterpoint?sslmode=require", tmp_path
    )
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["USER"], db["PASSWORD"], db["HOST"], db["PORT"], db["NAME"]) == (
        "cp@user", "s3cr/t", "db.example", "6543", "counterpoint",
    )  # fmt: skip
    assert db["OPTIONS"] == {"sslmode": "require"}
    assert parse_database_url("postgresql://postgres@127.0.0.1/cp", tmp_path)["PORT"] == ""


def test_database_url_sqlite_file(tmp_path):
    assert parse_database_url("sqlite:////tmp/x.sqlite3", tmp_path)["NAME"] == "/tmp/x.sqlite3"
    assert parse_database_url("sqlite:///rel.sqlite3", tmp_path)["NAME"] == "rel.sqlite3"


@pytest.mark.parametrize(
    "url",
    [
        "mysql://root@localhost/db",
        "postgres://u@h:5432/",
        "postgres://u@h:5432/a/b",
        "postgres://u@h:notaport/db",
        "postgres://u@h/db?foo=bar",
        "sqlite://host/file",
        "sqlite:///",
        "just-a-path.sqlite3",
    ],
)
def test_database_url_refuses_the_rest(url, tmp_path):
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        parse_database_url(url, tmp_path)


def _settings_import(env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTEST_VERSION", "DEBUG")}
    clean.pop("SECRET_KEY", None)
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import central.settings as s; print(s.DEBUG)"],
        cwd=REPO,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_secret_key_required_outside_debug_and_tests(tmp_path):
    run = _settings_import({"CP_DATA_DIR": str(tmp_path)})
    assert run.returncode != 0
    assert "SECRET_KEY is not set" in run.stderr
    assert _settings_import({"CP_DATA_DIR": str(tmp_path), "DEBUG": "1"}).returncode == 0
    ok = _settings_import({"CP_DATA_DIR": str(tmp_path), "SECRET_KEY": "k" * 40})
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.strip() == "False"


def test_bad_debug_value_stops_startup(tmp_path):
    run = _settings_import({"CP_DATA_DIR": str(tmp_path), "DEBUG": "maybe"})
    assert run.returncode != 0
    assert "DEBUG='maybe' is not a boolean" in run.stderr
