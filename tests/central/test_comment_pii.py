"""Central masks personal data in comments: on ingest (kiosks of an older version send it
unmasked), in the data migration for comments stored before, and `mask-pii` for operators."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

from django.apps import apps as django_apps

from central.ratings.models import Rating
from tests.central.helpers import post_json, rating

REPO = Path(__file__).resolve().parents[2]
RAW = "บัตร๑๑๐๑๗๐๐๒๓๐๗๐๘ค่ะ โทร +66 81 234 5678 อีเมล somsri@mail.go.th ค่าปรับ 1,500 บาท"
MASKED = "บัตร[เลขบัตรประชาชน]ค่ะ โทร [เบอร์โทร] อีเมล [อีเมล] ค่าปรับ 1,500 บาท"


def test_ingest_stores_the_comment_masked(api, kiosk) -> None:
    response = post_json(
        api, "/api/v1/kiosk/ratings", {"ratings": [rating(comment=RAW)]}, **kiosk.auth
    )
    assert response.status_code == 200
    assert response.json()["results"][0]["status"] == "accepted"
    assert Rating.objects.get().comment == MASKED
    assert "๑๑๐๑๗" not in response.content.decode()


def test_data_migration_masks_comments_already_stored(world, kiosk) -> None:
    now = datetime.now(UTC)
    common = dict(
        kiosk=kiosk.kiosk, service_point=world.sp, counter=world.counter, score=3,
        kiosk_time=now, kiosk_seq=1, received_at=now, rated_at=now, skew_seconds=0.0,
        batch_id=uuid.uuid4(),
    )  # fmt: skip
    stored = [
        Rating.objects.create(uuid=uuid.uuid4(), comment=RAW, **common),
        Rating.objects.create(uuid=uuid.uuid4(), comment="เลขอ้างอิง 1101700230701", **common),
        Rating.objects.create(uuid=uuid.uuid4(), comment=None, **common),
    ]
    migration = importlib.import_module("central.ratings.migrations.0003_mask_comment_pii")
    migration.mask_stored_comments(django_apps, None)
    comments = [Rating.objects.get(pk=r.pk).comment for r in stored]
    assert comments == [MASKED, "เลขอ้างอิง 1101700230701", None]


def test_mask_pii_command_is_one_line_out_per_line_in() -> None:
    lines = [RAW, "", "เลขอ้างอิง 1101700230701", "เปิด 08.30-16.30 น.", "x@y.com\r"]
    env = dict(os.environ, PYTHONPATH=str(REPO), DEBUG="1", PYTHONIOENCODING="ascii")
    done = subprocess.run(
        [sys.executable, "-m", "central", "mask-pii"],
        input="\n".join(lines).encode("utf-8"),
        capture_output=True,
        env=env,
        cwd=REPO,
        timeout=60,
        check=True,
    )
    out = done.stdout.decode("utf-8").split("\n")
    assert out == [MASKED, "", "เลขอ้างอิง 1101700230701", "เปิด 08.30-16.30 น.", "[อีเมล]", ""]


def test_a_refused_comment_is_not_echoed_back(api, kiosk, caplog) -> None:
    too_long = "โทร 0812345678 " + "ก" * 500
    response = post_json(
        api, "/api/v1/kiosk/ratings", {"ratings": [rating(comment=too_long)]}, **kiosk.auth
    )
    assert response.status_code == 200
    result = response.json()["results"][0]
    assert result["status"] == "rejected" and "comment" in result["reason"]
    assert "0812345678" not in response.content.decode()
    assert "0812345678" not in caplog.text
    assert not Rating.objects.exists()
