"""POST /api/v1/kiosk/heartbeat: fleet record and clock skew."""

from datetime import UTC, datetime, timedelta

import pytest

from central.api import schemas
from central.fleet.models import Kiosk
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
    schemas.HEARTBEAT_RESPONSE.validate(body)
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
