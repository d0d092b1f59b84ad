"""HTTP client for central's kiosk API (docs/sync-protocol.md), with errors staff can act on.

Every failure is a ``SyncError`` whose ``str()`` is one sentence for staff (what went
wrong and what to do) and whose ``kind`` is a stable machine code (``unreachable``,
``timeout``, ``tls``, ``server``, ``revoked``, ...) used by the sync service to decide
what to do next (see "What a kiosk does on each error" in docs/sync-protocol.md).

The client never retries by itself: one call is one HTTP request. Retrying, backing off
and marking items synced are the sync engine's business.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

# Re-exported: the errors and the address check live where the UI may import them.
from kiosk.sync.errors import API_PREFIX, BadServerUrl, SyncError, normalize_server_url
from protocol import constants

if TYPE_CHECKING:
    from protocol import models

# protocol.models/codec (msgspec) are imported where first used, like requests: the
# kiosk's cold start does not pay for them.

MAX_BATCH = constants.MAX_RATINGS_PER_REQUEST  # central refuses more than this per request
DEFAULT_TIMEOUT = (10.0, 60.0)  # (connect, read) seconds
RESULT_STATUSES = constants.RESULT_STATUSES
T = TypeVar("T")


@dataclass
class CallStats:
    """Time spent in HTTP calls (for bench/sync.py)."""

    calls: int = 0
    seconds: float = 0.0
    bytes_sent: int = 0
    by_path: dict[str, float] = field(default_factory=dict)


class CentralClient:
    """One kiosk's view of central. ``credential`` is None only for enrolment."""

    def __init__(
        self,
        server_url: str,
        credential: str | None = None,
        *,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        verify: bool | str = True,
        user_agent: str = "CounterPoint-Kiosk",
    ) -> None:
        import requests  # here, not at the top: keeps the kiosk's cold start fast

        self.base = normalize_server_url(server_url)
        self.credential = credential
        self.timeout = timeout
        self.session = requests.Session()
        self.verify = verify  # passed on every request: requests lets REQUESTS_CA_BUNDLE
        # override a session-level setting (psf/requests#3829)
        self.session.headers["User-Agent"] = user_agent
        self.session.headers["Accept"] = "application/json"
        self.stats = CallStats()

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> CentralClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the four calls -----------------------------------------------------------------
    def enroll(
        self, code: str, app_version: str, request_id: str | None = None
    ) -> models.EnrollResponse:
        """Trade a one-time code for a credential (``kiosk_id``, ``credential``,
        ``service_point``, ``counter`` and, from a current central, the full
        ``catalogue``, whose services ``KioskStore`` checks when it applies them). Wrong, used or expired codes raise
        ``SyncError(kind="bad_code")``. ``request_id`` names the attempt, so a retry after
        a lost answer is recognised."""
        code = (code or "").strip()
        if not code:
            raise SyncError("bad_code", "Enter the enrolment code shown on central.")
        body = {"code": code, "app_version": app_version}
        if request_id:
            body["request_id"] = request_id
        from protocol import models

        return self._call(
            "POST",
            "/kiosks/enroll",
            body,
            auth=False,
            expect=(200, 201),
            model=models.EnrollResponse,
        )

    def catalogue(self, since: str | None) -> models.Catalogue:
        """The catalogue payload: full when ``since`` is None, else changes after it.

        Only its envelope is checked here (a wrong one is a ``protocol`` error: central
        and kiosk disagree on the protocol); its services are checked by
        ``KioskStore.apply_catalogue``, so a catalogue the kiosk cannot use is told apart
        (the kiosk keeps its previous one and reports it)."""
        from protocol import models

        params = {"since": since} if since else None
        return self._call("GET", "/kiosk/catalogue", None, params=params, model=models.Catalogue)

    def push_ratings(self, items: list[dict]) -> tuple[list[dict], str | None]:
        """Send up to 500 ratings; return (one result per item, in order; server_time).

        The results are checked against what was sent: same count, same uuids, in order,
        known statuses. Anything else raises ``SyncError(kind="protocol")`` and the caller
        must mark nothing.
        """
        if not items:
            return [], None
        if len(items) > MAX_BATCH:
            raise ValueError(f"at most {MAX_BATCH} ratings per request, got {len(items)}")
        from protocol import models

        data = self._call(
            "POST", "/kiosk/ratings", {"ratings": items}, model=models.RatingsResponse
        )
        results = data.results
        if len(results) != len(items):
            raise self._protocol(f"sent {len(items)} ratings but got {len(results)} results back")
        clean = []
        for i, (item, res) in enumerate(zip(items, results, strict=True)):
            if res.uuid != item["uuid"]:
                raise self._protocol(f"result {i} is not for rating {item['uuid']}")
            clean.append({"uuid": item["uuid"], "status": res.status, "reason": res.reason})
        return clean, data.server_time

    def heartbeat(
        self,
        app_version: str,
        queue_depth: int,
        kiosk_time: str,
        catalogue_refused: str | None = None,
    ) -> models.HeartbeatResponse:
        """Report health; ``catalogue_refused``: why the kiosk could not apply central's
        last catalogue (None: it applied)."""
        from protocol import codec, models

        beat = models.HeartbeatRequest(
            app_version=app_version[: constants.APP_VERSION_MAX_CHARS],
            queue_depth=min(max(0, queue_depth), constants.MAX_QUEUE_DEPTH),
            kiosk_time=kiosk_time,
            catalogue_refused=(
                catalogue_refused[: constants.CATALOGUE_REFUSED_MAX_CHARS]
                if catalogue_refused
                else None
            ),
        )
        return self._call(
            "POST", "/kiosk/heartbeat", codec.to_builtins(beat), model=models.HeartbeatResponse
        )

    # -- plumbing -----------------------------------------------------------------------
    def _protocol(self, what: str) -> SyncError:
        return SyncError(
            "protocol",
            f"Central at {self.base} answered in an unexpected way ({what}). "
            "The kiosk app and central may be different versions.",
            transient=True,
        )

    def _call(
        self,
        method: str,
        path: str,
        body: Any,
        *,
        params: dict | None = None,
        auth: bool = True,
        expect: tuple[int, ...] = (200,),
        model: type[T] | None = None,
    ) -> Any:
        """One request; the answer validated as ``model`` (a ``protocol.models`` type;
        ``SyncError(kind="protocol")`` when it does not match)."""
        import requests

        from protocol import codec

        url = f"{self.base}{API_PREFIX}{path}"
        headers = {}
        if auth:
            if not self.credential:
                raise SyncError("not_enrolled", "This kiosk is not enrolled with central.")
            headers["Authorization"] = f"Bearer {self.credential}"
        data = None
        if body is not None:
            data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            headers["Content-Type"] = "application/json"
        started = time.perf_counter()
        try:
            resp = self.session.request(
                method,
                url,
                data=data,
                params=params,
                headers=headers,
                timeout=self.timeout,
                verify=self.verify,
                allow_redirects=False,
            )
            content = resp.content  # read the whole body inside the try: it may be cut
        except requests.exceptions.SSLError as exc:
            raise SyncError(
                "tls",
                f"Secure connection to {self.base} failed: the server's certificate could not "
                f"be verified or TLS failed ({_short(exc)}). Check the address (https:// or "
                "http://) and the kiosk's date and time.",
            ) from None
        except requests.exceptions.ConnectTimeout:
            raise SyncError(
                "unreachable",
                f"Could not connect to {self.base}: no answer within {self.timeout[0]:g} s. "
                "Check the network cable or Wi-Fi and the server address.",
                transient=True,
            ) from None
        except requests.exceptions.ReadTimeout:
            raise SyncError(
                "timeout",
                f"Central at {self.base} did not answer within {self.timeout[1]:g} s. "
                "It may be busy.",
                transient=True,
            ) from None
        except requests.exceptions.ConnectionError as exc:
            text = _short(exc)
            if "NameResolution" in text or "Name or service not known" in text:
                detail = "the server name could not be found (DNS)"
            elif "Connection refused" in text:
                detail = "the connection was refused (is the server running on that port?)"
            elif "RemoteDisconnected" in text or "reset" in text.lower():
                detail = "the connection was closed before an answer came"
            else:
                detail = text
            raise SyncError(
                "unreachable",
                f"Could not reach central at {self.base}: {detail}. Check the network and the "
                "server address.",
                transient=True,
            ) from None
        except (
            requests.exceptions.ChunkedEncodingError,
            requests.exceptions.ContentDecodingError,
        ) as exc:
            raise SyncError(
                "unreachable",
                f"The answer from {self.base} was cut off ({_short(exc)}).",
                transient=True,
            ) from None
        except requests.exceptions.InvalidURL as exc:
            raise BadServerUrl(f"The server address is not valid: {_short(exc)}") from None
        except requests.exceptions.RequestException as exc:
            raise SyncError(
                "unreachable",
                f"Could not talk to central at {self.base}: {_short(exc)}",
                transient=True,
            ) from None
        finally:
            elapsed = time.perf_counter() - started
            self.stats.calls += 1
            self.stats.seconds += elapsed
            self.stats.bytes_sent += len(data or b"")
            self.stats.by_path[path] = self.stats.by_path.get(path, 0.0) + elapsed

        status = resp.status_code
        if status in expect:
            if model is None:
                payload = _json_or_none(content)
                if not isinstance(payload, dict):
                    raise self._protocol(f"HTTP {status} without a JSON object")
                return payload
            try:
                return codec.decode(content, model)
            except codec.ProtocolError as exc:
                raise self._protocol(f"HTTP {status}: {str(exc)[:200]}") from None
        raise self._error_for(status, _json_or_none(content), content, auth=auth)

    def _error_for(self, status: int, payload: Any, content: bytes, *, auth: bool) -> SyncError:
        code = detail = None
        if isinstance(payload, dict):
            code = payload.get("error") if isinstance(payload.get("error"), str) else None
            detail = payload.get("detail") if isinstance(payload.get("detail"), str) else None
        said = f" Central said: {detail}" if detail else ""
        if not auth and (code or "").startswith("enrolment_code"):
            # Enrolment: a wrong, used, expired or withdrawn code.
            return SyncError(
                "bad_code",
                f"Central refused the enrolment code (HTTP {status}, {code}).{said}",
                status=status,
                code=code,
            )
        if status == 401:
            return SyncError(
                "unknown_kiosk",
                f"Central does not know this kiosk's credential (HTTP 401).{said} "
                "Enrol the kiosk again with a new code from central.",
                status=status,
                code=code,
            )
        if status == 403:
            return SyncError(
                "revoked",
                f"Central has revoked this kiosk (HTTP 403).{said} Ratings stay queued "
                "on the kiosk; enrol it again with a new code from central to send them.",
                status=status,
                code=code,
            )
        if status in (404, 405) and payload is None:
            return SyncError(
                "not_central",
                f"{self.base} does not look like a CounterPoint central server "
                f"(HTTP {status} for {API_PREFIX}). Check the server address.",
                status=status,
            )
        if status == 404:
            return SyncError(
                "not_central",
                f"Central at {self.base} has no such API (HTTP 404).{said} "
                "Check the server address; the kiosk app and central may be different versions.",
                status=status,
                code=code,
            )
        if status in (408, 429) or status >= 500:
            return SyncError(
                "server",
                f"Central at {self.base} is busy or failing (HTTP {status}).{said} "
                "Try again later.",
                transient=True,
                status=status,
                code=code,
            )
        if 300 <= status < 400:
            return SyncError(
                "redirect",
                f"{self.base} redirects elsewhere (HTTP {status}). Use the final address "
                "(often https:// instead of http://).",
                status=status,
            )
        preview = content[:120].decode("utf-8", "replace") if payload is None else ""
        return SyncError(
            "refused",
            f"Central refused the request (HTTP {status}{', ' + code if code else ''})."
            f"{said or ' ' + preview}",
            status=status,
            code=code,
            transient=True,
        )


def _json_or_none(content: bytes) -> Any:
    try:
        return json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None


def _short(exc: BaseException) -> str:
    """The innermost reason of a requests/urllib3 exception, on one short line."""
    text = str(exc)
    for marker in ("Caused by ", "(Caused by "):
        if marker in text:
            text = text.split(marker, 1)[1]
    text = " ".join(text.split())
    return text[:240]
