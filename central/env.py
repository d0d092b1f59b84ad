"""Strict parsing of the environment variables that configure central.

Every function raises ``django.core.exceptions.ImproperlyConfigured`` with a message that
names the variable and what was wrong, so a typo fails at start-up instead of silently
turning into a default. They take the environment mapping as an argument so the tests can
call them with a plain dict.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}

# libpq connection parameters we pass through from a postgres:// URL's query string.
_PG_QUERY_OPTIONS = {
    "sslmode",
    "sslrootcert",
    "sslcert",
    "sslkey",
    "connect_timeout",
    "application_name",
    "target_session_attrs",
}


def parse_bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    """``1/0, true/false, yes/no, on/off`` (any case); unset or empty is ``default``."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    low = raw.lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={raw!r} is not a boolean: use 1/0, true/false, yes/no or on/off"
    )


def parse_int(env: Mapping[str, str], name: str, default: int, *, minimum: int = 0) -> int:
    """A decimal integer ``>= minimum``; unset or empty is ``default``."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw, 10)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={value} must be at least {minimum}")
    return value


def parse_list(env: Mapping[str, str], name: str, default: list[str]) -> list[str]:
    """Comma-separated values, blanks dropped; unset or empty is ``default``."""
    raw = env.get(name, "").strip()
    if not raw:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def parse_database_url(
    url: str | None, data_dir: Path, *, conn_max_age: int = 60, health_checks: bool = False
) -> dict:
    """Turn ``DATABASE_URL`` into a Django ``DATABASES["default"]`` dict.

    - unset / empty: SQLite file ``<data_dir>/central.sqlite3``;
    - ``sqlite:////absolute/path.sqlite3`` or ``sqlite:///relative.sqlite3`` (against the
      current directory);
    - ``postgres://user[:password]@host[:port]/dbname[?sslmode=...]`` (also
      ``postgresql://``), through psycopg 3.

    Anything else raises ``ImproperlyConfigured``.
    """
    if not url or not url.strip():
        return _sqlite(data_dir / "central.sqlite3")
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is not a valid URL: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        if parts.netloc or parts.query or not parts.path or parts.path == "/":
            raise ImproperlyConfigured(
                "DATABASE_URL: a SQLite URL looks like sqlite:///path/to/file.sqlite3"
            )
        return _sqlite(Path(unquote(parts.path[1:])))
    if scheme not in ("postgres", "postgresql"):
        raise ImproperlyConfigured(
            f"DATABASE_URL scheme {parts.scheme!r} is not supported: use "
            "postgres://user@host:port/dbname (PostgreSQL, psycopg 3) or leave it unset "
            "for the embedded SQLite file"
        )
    name = unquote(parts.path.lstrip("/"))
    if not name or "/" in name:
        raise ImproperlyConfigured(
            "DATABASE_URL must name one database: postgres://user@host:port/dbname"
        )
    options: dict[str, str] = {}
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key not in _PG_QUERY_OPTIONS:
            raise ImproperlyConfigured(
                f"DATABASE_URL option {key!r} is not supported "
                f"(allowed: {', '.join(sorted(_PG_QUERY_OPTIONS))})"
            )
        options[key] = value
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(port or ""),
        "CONN_MAX_AGE": conn_max_age,
        # Off by default: a health check is one more round trip ("SELECT 1") at the start
        # of every request. Without it, the first request on a connection that died (e.g.
        # PostgreSQL restarted) fails once and Django reconnects for the next.
        "CONN_HEALTH_CHECKS": health_checks,
        "OPTIONS": options,
    }


def _sqlite(path: Path) -> dict:
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {
            # BEGIN IMMEDIATE: a write transaction takes the write lock up front, so two
            # writers queue on the busy timeout instead of one failing with "database is
            # locked" when it upgrades a read lock.
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            # Durable: in WAL mode synchronous=NORMAL lets a power cut roll back commits
            # central already answered "accepted" (the kiosk then drops them for good);
            # FULL syncs the WAL at every commit. Runs on every new connection.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;",
        },
    }
