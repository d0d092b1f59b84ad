"""The kiosk sync API, version 1 (docs/sync-protocol.md). Plain Django views: four small
JSON endpoints do not need DRF's serializers, routers or content negotiation, and the
per-request overhead it would add counts at 500 req/s.

Every response is JSON. Errors are ``{"error": code, "detail": reason}``:

- 400 ``invalid_json`` / ``invalid_request`` / ``bad_cursor`` / ``empty_body``
- 401 ``missing_credential`` / ``invalid_credential`` (with ``WWW-Authenticate: Bearer``)
- 403 ``kiosk_revoked``
- 404 ``enrolment_code_unknown``; 409 ``enrolment_code_used``;
  410 ``enrolment_code_expired`` / ``enrolment_code_revoked``
- 405 ``method_not_allowed`` (with ``Allow``), 411 ``length_required``,
  413 ``body_too_large``, 415 ``unsupported_media_type``
- 500 ``internal_error`` only for a bug in central, never for any input.
"""

from __future__ import annotations

import functools
import logging
from typing import TypeVar

from django.core.exceptions import RequestDataTooBig
from django.http import UnreadablePostError
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from central.api import catalogue, ingest, sync_sql
from central.api.errors import ApiError, error_response, json_response
from central.api.openapi import openapi_document
from central.fleet import services as fleet
from protocol import codec, constants, models

log = logging.getLogger("central.api")

SMALL_BODY_BYTES = constants.SMALL_BODY_BYTES
RATINGS_BODY_BYTES = constants.RATINGS_BODY_BYTES
LAST_SEEN_RESOLUTION_S = 30
T = TypeVar("T")


def _bearer(request) -> str:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    challenge = {"WWW-Authenticate": 'Bearer realm="counterpoint"'}
    if not header:
        raise ApiError(
            401, "missing_credential", "Send Authorization: Bearer <credential>.", challenge
        )
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > 200 or not token.isascii():
        raise ApiError(
            401, "invalid_credential", "Authorization must be: Bearer <credential>.", challenge
        )
    return token


_UNKNOWN = (
    "Unknown credential: enrol this kiosk again.",
    {"WWW-Authenticate": 'Bearer realm="counterpoint", error="invalid_token"'},
)
_REVOKED = "This kiosk was revoked by an administrator; enrol it again."


def _refuse(revoked: bool | None) -> ApiError:
    """401 for a credential no kiosk holds (None), 403 for a revoked kiosk (True)."""
    if revoked is None:
        return ApiError(401, "invalid_credential", _UNKNOWN[0], _UNKNOWN[1])
    return ApiError(403, "kiosk_revoked", _REVOKED)


def _live(kiosk):
    """``kiosk`` (looked up by credential, None if unknown) if it may sync, else the 4xx."""
    if kiosk is None:
        raise _refuse(None)
    if kiosk.revoked_at is not None:
        raise _refuse(True)
    return kiosk


def _read_json(request, max_bytes: int):
    raw_length = request.META.get("CONTENT_LENGTH") or ""
    if not raw_length:
        if request.META.get("HTTP_TRANSFER_ENCODING"):
            raise ApiError(411, "length_required", "Send a Content-Length header.")
        raise ApiError(400, "empty_body", "The request has no body.")
    try:
        length = int(raw_length)
    except ValueError:
        raise ApiError(400, "bad_request", "Content-Length is not a number.") from None
    if length < 0:
        raise ApiError(400, "bad_request", "Content-Length is negative.")
    if length > max_bytes:
        raise ApiError(413, "body_too_large", f"The body must be at most {max_bytes} bytes.")
    if length == 0:
        raise ApiError(400, "empty_body", "The request has no body.")
    if request.content_type != "application/json":
        raise ApiError(
            415, "unsupported_media_type", "Send the body as Content-Type: application/json."
        )
    charset = request.content_params.get("charset")
    if charset is not None and charset.lower().replace("-", "") != "utf8":
        raise ApiError(415, "unsupported_media_type", "The body must be UTF-8 JSON.")
    try:
        body = request.body
    except RequestDataTooBig:
        raise ApiError(413, "body_too_large", "The body is too large.") from None
    except UnreadablePostError:
        raise ApiError(400, "bad_request", "The body could not be read.") from None
    try:
        return codec.loads(body)
    except ValueError as exc:
        raise ApiError(400, "invalid_json", str(exc)) from None


def _validate(model: type[T], data) -> T:
    try:
        return codec.convert(data, model)
    except codec.ProtocolError as exc:
        raise ApiError(400, "invalid_request", str(exc)[:500]) from None


def api_view(*methods: str, auth: bool = True):
    """Method check, the bearer credential's form, JSON errors; CSRF exempt (bearer-token
    API, no cookies). The view gets ``(request, credential)`` and looks the kiosk up itself,
    with the one statement it needs (central/api/sync_sql.py)."""

    def decorate(view):
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                if request.method not in methods:
                    raise ApiError(
                        405,
                        "method_not_allowed",
                        f"Use {' or '.join(methods)}.",
                        {"Allow": ", ".join(methods)},
                    )
                credential = _bearer(request) if auth else None
                return view(request, credential, *args, **kwargs)
            except ApiError as exc:
                return error_response(exc.status, exc.code, exc.detail, exc.headers)
            except Exception:
                log.exception("API error on %s %s", request.method, request.path)
                return error_response(500, "internal_error", "Central failed; try again later.")

        return wrapper

    return decorate


def _touch(kiosk, request, now) -> None:
    """Record that the kiosk was seen; skipped when it was seen from the same address in
    the last 30 s (saves a write on most sync calls)."""
    ip = fleet.client_ip(request)
    stale = kiosk.last_seen is None or (now - kiosk.last_seen).total_seconds() > (
        LAST_SEEN_RESOLUTION_S
    )
    if stale or ip != kiosk.last_ip:
        sync_sql.seen(kiosk.pk, now, ip)


@api_view("POST", auth=False)
def enroll(request, _kiosk):
    data = _validate(models.EnrollRequest, _read_json(request, SMALL_BODY_BYTES))
    try:
        kiosk, credential = fleet.enrol(
            data.code,
            data.app_version,
            ip=fleet.client_ip(request),
            request_id=None if data.request_id is models.UNSET else data.request_id,
        )
    except fleet.EnrolmentRefused as refused:
        status, detail = {
            "unknown": (404, "No such enrolment code: check it, or ask for a new one."),
            "used": (409, "This enrolment code was already used: ask for a new one."),
            "expired": (410, "This enrolment code has expired: ask for a new one."),
            "revoked": (410, "This enrolment code was withdrawn: ask for a new one."),
        }[refused.reason]
        raise ApiError(status, f"enrolment_code_{refused.reason}", detail) from None
    counter = kiosk.counter
    # The full catalogue comes with the credential: an enrolled kiosk never shows the
    # bundled demo services, even if its first catalogue download would be lost.
    return json_response(
        models.EnrollResponse(
            kiosk_id=kiosk.public_id,
            credential=credential,
            service_point=catalogue.service_point_json(counter.service_point),
            counter=catalogue.counter_json(counter),
            catalogue=catalogue.build(counter, None, request),
        ),
        status=201,
    )


@api_view("GET")
def kiosk_catalogue(request, credential):
    found = sync_sql.kiosk_for_catalogue(credential)
    kiosk, counter, current = found if found is not None else (None, None, None)
    _live(kiosk)
    since = request.GET.get("since", "")
    if len(since) > 100:
        raise ApiError(400, "bad_cursor", "since= is too long to be a cursor.")
    payload = catalogue.build(counter, since, request, current=current)
    _touch(kiosk, request, timezone.now())
    return json_response(payload)


@api_view("POST")
def kiosk_ratings(request, credential):
    kiosk = _live(sync_sql.kiosk_for_ratings(credential))
    envelope = _validate(models.RatingsEnvelope, _read_json(request, RATINGS_BODY_BYTES))
    now = timezone.now()
    results = ingest.ingest(kiosk, envelope.ratings, now)
    _touch(kiosk, request, now)
    return json_response(models.RatingsResponse(results=results, server_time=now.isoformat()))


@api_view("POST")
def kiosk_heartbeat(request, credential):
    """Authenticated and recorded by one UPDATE (central/api/sync_sql.py). A request that
    is both unauthenticated and malformed is answered 401/403 first, as every endpoint."""
    try:
        data = _validate(models.HeartbeatRequest, _read_json(request, SMALL_BODY_BYTES))
    except ApiError:
        revoked = sync_sql.revoked(credential)
        if revoked is not False:
            raise _refuse(revoked) from None
        raise
    now = timezone.now()
    kiosk_time = models.parse_time(data.kiosk_time)
    skew = (kiosk_time - now).total_seconds()
    recorded = sync_sql.heartbeat(
        credential,
        now,
        fleet.client_ip(request),
        app_version=data.app_version,
        queue_depth=data.queue_depth,
        kiosk_time=kiosk_time,
        skew_seconds=skew,
        skew_flag=abs(skew) > ingest.SKEW_THRESHOLD.total_seconds(),
        refused_reason=(data.catalogue_refused or "").strip(),
    )
    if not recorded:
        raise _refuse(sync_sql.revoked(credential))
    return json_response(
        models.HeartbeatResponse(server_time=now.isoformat(), skew_seconds=round(skew, 3))
    )


@api_view("GET", auth=False)
def openapi(request, _kiosk):
    return json_response(openapi_document())


@api_view("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", auth=False)
def not_found(request, _kiosk, *args, **kwargs):
    raise ApiError(404, "not_found", f"No API endpoint at {request.path[:200]}.")
