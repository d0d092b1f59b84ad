"""The kiosk masks personal data in a comment before the row is written: the ID number,
phone number or e-mail address never reaches the SQLite file (nor its WAL)."""

from __future__ import annotations

from pathlib import Path

from kiosk.storage import KioskStore

ID_NUMBER = "1101700230708"  # valid check digit
THAI_ID = ID_NUMBER.translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙"))


def _disk_bytes(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def test_comment_is_masked_before_it_touches_the_disk(tmp_path) -> None:
    folder = tmp_path / "data"
    store = KioskStore.open(folder)
    ref = store.record_rating(2, None)
    store.update_followup(
        ref.uuid,
        comment=f"บัตร{THAI_ID}ค่ะ โทรกลับ 081-234-5678 หรือ somchai@example.co.th รอ 45 นาที",
    )
    stored = store.rating(ref.uuid)["comment"]
    assert stored == "บัตร[เลขบัตรประชาชน]ค่ะ โทรกลับ [เบอร์โทร] หรือ [อีเมล] รอ 45 นาที"
    store.close()
    raw = _disk_bytes(folder)
    for secret in (THAI_ID, "081-234-5678", "somchai@example.co.th"):
        assert secret.encode("utf-8") not in raw
        assert secret.encode("utf-16-le") not in raw


def test_masking_never_makes_a_comment_longer_than_the_wire_allows(tmp_path) -> None:
    store = KioskStore.open(tmp_path / "data")
    ref = store.record_rating(4, None)
    text = "ดี" * 240 + " 0812345678 " + "ก" * 8  # 500 characters before masking
    assert len(text) <= 500
    store.update_followup(ref.uuid, comment=text)
    stored = store.rating(ref.uuid)["comment"]
    assert len(stored) <= 500 and "0812345678" not in stored
    store.close()
