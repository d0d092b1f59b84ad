"""Sync errors and the check of a typed server address: no HTTP here, so the UI (which
knows nothing of HTTP) may import them (tests/test_boundaries.py)."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from protocol.constants import API_PREFIX


class SyncError(Exception):
    """A call to central failed. ``str()`` is for staff; ``kind`` is for the code.

    ``transient``: trying again later may work (network, 5xx, timeouts). ``auth``: this
    kiosk's credential is refused (revoked or unknown) and only re-enrolment helps.
    ``status`` is the HTTP status when there was one; ``code`` central's error code.
    """

    def __init__(
        self,
        kind: str,
        message: str,
        *,
        transient: bool = False,
        status: int | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.transient = transient
        self.status = status
        self.code = code

    @property
    def auth(self) -> bool:
        return self.kind in ("revoked", "unknown_kiosk")


class BadServerUrl(SyncError):
    def __init__(self, message: str) -> None:
        super().__init__("bad_url", message)


def normalize_server_url(text: str) -> str:
    """Check a server URL typed by staff; return it as ``scheme://host[:port][/path]``.

    Raises ``BadServerUrl`` with a message that says what is wrong.
    """
    raw = (text or "").strip()
    if not raw:
        raise BadServerUrl("Enter the server address, for example https://central.example.go.th")
    if any(ch.isspace() for ch in raw):
        raise BadServerUrl(f"The server address must not contain spaces: {raw!r}")
    if "://" not in raw:
        raise BadServerUrl(
            f"The server address must start with https:// (or http://), for example "
            f"https://{raw.lstrip('/')}"
        )
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError as exc:
        raise BadServerUrl(f"The server address is not valid: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise BadServerUrl(
            f"The server address must start with https:// or http://, not {parts.scheme}://"
        )
    host = parts.hostname
    if not host:
        raise BadServerUrl(f"The server address has no host name: {raw!r}")
    if parts.username or parts.password:
        raise BadServerUrl("The server address must not contain a user name or password")
    if parts.query or parts.fragment:
        raise BadServerUrl("The server address must not contain '?' or '#'")
    if port == 0:
        raise BadServerUrl("The server address has port 0, which is not a valid port")
    path = parts.path.rstrip("/")
    if path.endswith(API_PREFIX):  # staff pasted the API root: accept it
        path = path[: -len(API_PREFIX)]
    netloc = parts.netloc.lower()
    return urlunsplit((scheme, netloc, path, "", ""))
