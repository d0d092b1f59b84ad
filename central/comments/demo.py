"""Demo comments (``python -m central demo --ratings N``): about one demo rating in 20 gets
a comment that fits its score, masked like every comment (a few carry a phone number or an
ID number, to show the masking), then every comment is analysed. Deterministic."""

from __future__ import annotations

import random

from django.db import transaction

from central.comments.store import backfill
from central.ratings.models import Rating
from protocol.pii import mask

GOOD = [
    "เจ้าหน้าที่พูดจาดี ยิ้มแย้ม บริการรวดเร็วมากค่ะ",
    "ไม่ต้องใช้สำเนาแล้ว สะดวกขึ้นเยอะเลย ขอบคุณครับ",
    "ทำบัตรเสร็จในสิบห้านาที ประทับใจมาก",
    "พี่เจ้าหน้าที่ใจดี ช่วยกรอกแบบฟอร์มให้ด้วย",
    "สถานที่สะอาด แอร์เย็น ที่นั่งรอเพียงพอ",
    "บริการดีมาก จะมาใช้บริการอีก",
    "Very helpful staff, done in fifteen minutes. Thank you!",
    "ขอบคุณมากครับ ถ้ามีปัญหาโทรหาผมได้ที่ 081-234-5678",
]
BAD = [
    "รอนานมาก เกือบสามชั่วโมง เปิดแค่ช่องเดียว",
    "เจ้าหน้าที่พูดจาไม่สุภาพ หน้าบึ้งตลอด",
    "ยังขอสำเนาบัตรประชาชนอยู่ ทั้งที่ป้ายบอกว่ายกเลิกแล้ว",
    "ต้องไปถ่ายเอกสารข้างนอก เสียเวลามาก",
    "ที่จอดรถไม่พอ ต้องจอดไกลมาก",
    "ระบบล่มทั้งเช้า ทำอะไรไม่ได้เลย แย่มาก",
    "มาสามรอบแล้วยังไม่เสร็จ เอกสารไม่ครบทุกที",
    "ห้องน้ำสกปรก ไม่มีสบู่",
    "They still asked for a photocopy of my ID card.",
    "บัตร 1-1017-00230-70-8 ของผมยังไม่ได้เลย โทรกลับด้วย 02-123-4567",
]
MIDDLE = [
    "มาต่อใบขับขี่ประเภทรถยนต์",
    "ยื่นเอกสารเปลี่ยนชื่อสกุล นัดรับสัปดาห์หน้า",
    "วันนี้คนเยอะพอสมควร",
    "ต้องใช้สำเนาทะเบียนบ้านไหมคะ",
    "เปิดวันเสาร์หรือเปล่าครับ",
    "ค่าธรรมเนียมเท่าไหร่ครับ",
    "ไม่มีครับ",
    "ฟหกดฟหกด",
]
SHARE = 20  # one rating in SHARE gets a comment


def add_comments(seed: int = 20261201, limit: int = 2000) -> dict:
    """Give about one in ``SHARE`` demo ratings without a comment a fitting comment (at
    most ``limit``), then analyse every comment that has no analysis."""
    rng = random.Random(seed)
    picked = []
    rows = Rating.objects.filter(comment__isnull=True).only("pk", "score").order_by("pk")
    for rating in rows.iterator(chunk_size=2000):
        if rng.randrange(SHARE):
            continue
        pool = GOOD if rating.score >= 4 else BAD if rating.score <= 2 else MIDDLE
        rating.comment = mask(rng.choice(pool))
        picked.append(rating)
        if len(picked) >= limit:
            break
    with transaction.atomic():
        Rating.objects.bulk_update(picked, ["comment"], batch_size=500)
    return {"comments": len(picked), "analysed": backfill()}
