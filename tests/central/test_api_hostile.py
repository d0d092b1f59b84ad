"""Malformed and hostile requests: a clear JSON 4xx, nothing stored, never a 500."""

import json

import pytest

from central.fleet.models import Kiosk
from central.ratings.models import Rating
from protocol import codec, models
from tests.central.helpers import rating

POSTS = ["/api/v1/kiosk/ratings", "/api/v1/kiosk/heartbeat", "/api/v1/kiosks/enroll"]


def _assert_error(response, status, code=None):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    codec.convert(body, models.Error)
    if code:
        assert body["error"] == code
    return body


def _raw_post(api, url, body: bytes, content_type="application/json", **extra):
    return api.generic("POST", url, body, content_type=content_type, **extra)


BAD_BODIES = [
    (b"", 400, "empty_body"),
    (b"not json", 400, "invalid_json"),
    (b"{", 400, "invalid_json"),
    (b'{"ratings": []} trailing', 400, "invalid_json"),
    (b"\xff\xfe{\x00}\x00", 400, "invalid_json"),  # UTF-16
    (b'{"ratings": ["\xe0\xb8"]}', 400, "invalid_json"),  # truncated UTF-8
    (b"\xef\xbb\xbf{}", 400, "invalid_json"),  # BOM
    (b'{"ratings": [], "ratings": []}', 400, "invalid_json"),  # duplicate key
    (b'{"ratings": NaN}', 400, "invalid_json"),
    (b'{"queue_depth": Infinity}', 400, "invalid_json"),
    (b"[" * 100_000 + b"]" * 100_000, 400, "invalid_json"),  # deep nesting
    (b"{" + b'"a":{' * 50_000 + b"}" * 50_001, 400, "invalid_json"),
    (b'{"n": ' + b"9" * 5000 + b"}", 400, "invalid_json"),  # int over 4300 digits
    (b"null", 400, "invalid_request"),
    (b"123", 400, "invalid_request"),
    (b'"string"', 400, "invalid_request"),
]


@pytest.mark.parametrize("url", POSTS)
@pytest.mark.parametrize("body, status, code", BAD_BODIES, ids=range(len(BAD_BODIES)))
def test_bad_bodies(api, kiosk, url, body, status, code):
    if len(body) > 8192 and not url.endswith("ratings"):
        status, code = 413, "body_too_large"
    _assert_error(_raw_post(api, url, body, **kiosk.auth), status, code)
    assert Rating.objects.count() == 0
    assert Kiosk.objects.count() == 1


@pytest.mark.parametrize("url", POSTS)
@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
     "application/json; charset=latin-1", "application/jsonp", ""],
)  # fmt: skip
def test_wrong_content_type_is_415(api, kiosk, url, content_type):
    body = json.dumps({"ratings": [rating()]}).encode()
    _assert_error(_raw_post(api, url, body, content_type, **kiosk.auth), 415)
    assert Rating.objects.count() == 0


def test_charset_utf8_is_fine(api, kiosk):
    body = json.dumps({"ratings": [rating()]}).encode()
    response = _raw_post(
        api, POSTS[0], body, "application/json; charset=UTF-8", **kiosk.auth
    )  # fmt: skip
    assert response.status_code == 200


@pytest.mark.parametrize("url, limit", [(POSTS[0], 4 * 1024 * 1024), (POSTS[1], 8192)])
def test_huge_bodies_are_413_before_reading(api, kiosk, url, limit):
    body = b'{"ratings": [' + b" " * limit + b"]}"
    _assert_error(_raw_post(api, url, body, **kiosk.auth), 413, "body_too_large")
    # A lying Content-Length is refused the same way, without reading the body.
    _assert_error(
        _raw_post(api, url, b"{}", CONTENT_LENGTH=str(limit + 1), **kiosk.auth), 413
    )  # fmt: skip


def test_bad_content_length(api, kiosk):
    _assert_error(_raw_post(api, POSTS[1], b"{}", CONTENT_LENGTH="abc", **kiosk.auth), 400)


def test_chunked_without_length_is_411(api, kiosk):
    response = _raw_post(
        api, POSTS[1], b"", CONTENT_LENGTH="", HTTP_TRANSFER_ENCODING="chunked", **kiosk.auth
    )
    _assert_error(response, 411, "length_required")


def test_huge_strings_inside_a_rating(api, kiosk):
    item = rating(comment="ก" * 100_000)
    response = _raw_post(api, POSTS[0], json.dumps({"ratings": [item]}).encode(), **kiosk.auth)
    assert response.json()["results"][0]["status"] == "rejected"
    assert Rating.objects.count() == 0


@pytest.mark.parametrize(
    "method, url",
    [("get", POSTS[0]), ("put", POSTS[0]), ("delete", POSTS[1]), ("get", POSTS[2]),
     ("post", "/api/v1/kiosk/catalogue"), ("patch", "/api/v1/kiosk/catalogue"),
     ("post", "/api/v1/openapi.json")],
)  # fmt: skip
def test_wrong_method_is_405(api, kiosk, method, url):
    response = getattr(api, method)(url, **kiosk.auth)
    body = _assert_error(response, 405, "method_not_allowed")
    assert response["Allow"] in ("GET", "POST")
    assert "Use" in body["detail"]


@pytest.mark.parametrize(
    "url", ["/api/v1/kiosk/ratings/", "/api/v1/nope", "/api/v2/kiosk/ratings", "/api/", "/api/x"]
)
def test_unknown_api_urls_are_json_404(api, url):
    _assert_error(api.get(url), 404, "not_found")
    _assert_error(api.post(url, "{}", content_type="application/json"), 404, "not_found")


def test_csrf_is_not_required_for_the_kiosk_api(kiosk):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    body = json.dumps({"ratings": [rating()]})
    response = strict.post(POSTS[0], body, content_type="application/json", **kiosk.auth)
    assert response.status_code == 200


def test_query_string_garbage_on_catalogue(api, kiosk):
    response = api.get("/api/v1/kiosk/catalogue?since=%FF%FE&since=v1", **kiosk.auth)
    assert response.status_code == 400
