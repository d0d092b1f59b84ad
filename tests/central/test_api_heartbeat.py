"""POST /api/v1/kiosk/heartbeat: fleet record and clock skew."""

from datetime import UTC, datetime, timedelta

import pytest

from central.fleet.models import Kiosk
from protocol import codec, models
from tests.central.helpers import post_json

URL = "/api/v1/kiosk/heartbeat"


def _beat(api, kiosk, **overrides):
    body = {"app_version": "1.4.0", "queue_depth": 12, "kiosk_time": datetime.now(UTC).isoformat()}
    body.update(overrides)
    return post_json(api, URL, body, **kiosk.auth)


def test_heartbeat_updates_the_fleet_record(api, kiosk):
    response = _beat(api, kiosk)
    assert response.status_code == 200
    body = response.json()
    codec.convert(body, models.HeartbeatResponse)
    assert abs(body["skew_seconds"]) < 5
    record = Kiosk.objects.get(pk=kiosk.kiosk.pk)
    assert record.app_version == "1.4.0" and record.queue_depth == 12
    assert record.last_seen == datetime.fromisoformat(body["server_time"])
    assert record.last_kiosk_time is not None and record.skew_flag is False


def test_skew_is_measured_flagged_and_cleared(api, kiosk):
    ahead = (datetime.now(UTC) + timedelta(minutes=20)).astimezone().isoformat()
    body = _beat(api, kiosk, kiosk_time=ahead).json()
    assert 1190 < body["skew_seconds"] < 1210
    record = Kiosk.objects.get(pk=kiosk.kiosk.pk)
    assert record.skew_flag is True and 1190 < record.clock_skew_seconds < 1210
    behind = (datetime.now(UTC) - timedelta(minutes=11)).isoformat()
    assert _beat(api, kiosk, kiosk_time=behind).json()["skew_seconds"] < -600
    assert Kiosk.objects.get(pk=kiosk.kiosk.pk).skew_flag is True
    _beat(api, kiosk)
    assert Kiosk.objects.get(pk=kiosk.kiosk.pk).skew_flag is False


@pytest.mark.parametrize(
    "change",
    [
        {"queue_depth": -1},
        {"queue_depth": 1.5},
        {"queue_depth": True},
        {"queue_depth": None},
        {"app_version": ""},
        {"app_version": "v" * 41},
        {"app_version": "1.0\n"},
        {"kiosk_time": "yesterday"},
        {"kiosk_time": "2026-11-23T10:15:00"},
        {"extra": "field"},
    ],
)
def test_bad_heartbeats_change_nothing(api, kiosk, change):
    before = Kiosk.objects.get(pk=kiosk.kiosk.pk)
    response = _beat(api, kiosk, **change)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
    after = Kiosk.objects.get(pk=kiosk.kiosk.pk)
    assert (after.app_version, after.queue_depth) == (before.app_version, before.queue_depth)


def test_missing_field(api, kiosk):
    response = post_json(api, URL, {"app_version": "1", "queue_depth": 0}, **kiosk.auth)
    assert response.json()["detail"] == "kiosk_time: is required"


def test_a_refused_catalogue_is_recorded_until_the_kiosk_reports_none(api, kiosk):
    reason = "services[0].steps[1].order: must be at least 0"
    assert _beat(api, kiosk, catalogue_refused=reason).status_code == 200
    record = Kiosk.objects.get(pk=kiosk.kiosk.pk)
    assert record.catalogue_refused_reason == reason
    first = record.catalogue_refused_at
    assert first is not None
    _beat(api, kiosk, catalogue_refused=reason)  # the same refusal keeps its first time
    assert Kiosk.objects.get(pk=kiosk.kiosk.pk).catalogue_refused_at == first
    _beat(api, kiosk, catalogue_refused=None)
    record = Kiosk.objects.get(pk=kiosk.kiosk.pk)
    assert (record.catalogue_refused_reason, record.catalogue_refused_at) == ("", None)
    _beat(api, kiosk, catalogue_refused=reason)
    _beat(api, kiosk)  # an older kiosk (no field) clears it too
    assert Kiosk.objects.get(pk=kiosk.kiosk.pk).catalogue_refused_reason == ""


def test_a_refusal_reason_is_checked_like_any_text(api, kiosk):
    response = _beat(api, kiosk, catalogue_refused="x" * 1001)
    assert response.status_code == 400
    assert response.json()["detail"] == "catalogue_refused: must be at most 1000 characters"


@pytest.mark.parametrize("who", ["unknown", "revoked", "live"])
def test_a_malformed_heartbeat_is_answered_for_its_credential_first(api, kiosk, who):
    """The heartbeat authenticates and records in one UPDATE after reading the body; a
    bad body must still get the credential's answer first, as on every endpoint."""
    from central.fleet import services as fleet

    headers = dict(kiosk.auth)
    if who == "unknown":
        headers["HTTP_AUTHORIZATION"] = "Bearer not-a-credential-anyone-holds"
    elif who == "revoked":
        fleet.revoke_kiosk(kiosk.kiosk)
    response = post_json(api, URL, {"app_version": "1.4.0"}, **headers)  # fields missing
    expected = {"unknown": 401, "revoked": 403, "live": 400}[who]
    assert response.status_code == expected, response.content
    assert Kiosk.objects.get(pk=kiosk.kiosk.pk).app_version != "1.4.0"


def test_a_revoked_kiosk_heartbeat_changes_nothing(api, kiosk):
    from central.fleet import services as fleet

    fleet.revoke_kiosk(kiosk.kiosk)
    before = Kiosk.objects.get(pk=kiosk.kiosk.pk)
    assert _beat(api, kiosk, queue_depth=99).status_code == 403
    after = Kiosk.objects.get(pk=kiosk.kiosk.pk)
    assert (after.queue_depth, after.last_seen) == (before.queue_depth, before.last_seen)


def test_a_heartbeat_is_one_statement(api, kiosk, django_assert_num_queries):
    """Authenticate + record in one UPDATE: the most frequent call central serves."""
    _beat(api, kiosk)  # first call of the connection prepares the statement
    with django_assert_num_queries(1):
        assert _beat(api, kiosk).status_code == 200
