"""Topics of a comment, from a lexicon on PyThaiNLP tokens combined with the chips the
citizen chose, and whether it says a photocopy was asked for (No Copy evidence).

Topics: ``process`` (steps, forms, systems), ``staff``, ``facilities`` (building, parking,
toilets, seats, air), ``outcome`` (got it done or not), ``waiting`` (queue, time) and
``documents`` (papers and photocopies). A chip maps to a topic (``steps`` -> process,
``waiting_time`` -> waiting, the others by name); the lexicon adds what the text talks
about. A lexicon entry matches a whole token, or, when it is 4 characters or longer (or
has a space), a substring of the normalised text (the tokenizer may cut a compound in
another place than the lexicon does).
"""

from __future__ import annotations

import re

TOPICS = ("process", "staff", "facilities", "outcome", "waiting", "documents")

CHIP_TOPIC = {
    "staff": "staff",
    "waiting_time": "waiting",
    "steps": "process",
    "documents": "documents",
    "facilities": "facilities",
    "outcome": "outcome",
}

LEXICON: dict[str, tuple[str, ...]] = {
    "process": (
        "ขั้นตอน", "ยุ่งยาก", "ซับซ้อน", "ง่าย", "สะดวก", "ระบบ", "กรอก", "แบบฟอร์ม",
        "คำร้อง", "ออนไลน์", "ล่ม", "วุ่นวาย", "หลายขั้น", "ติดต่อหลาย", "หลายช่อง",
        "ส่งต่อ", "ไปมา", "กระบวนการ", "ระเบียบ", "ค่าธรรมเนียม", "นัด", "จองคิวออนไลน์",
        "step", "steps", "process", "procedure", "form", "forms", "system", "complicated",
        "simple", "easy", "online", "fee", "appointment", "bureaucracy",
    ),
    "staff": (
        "เจ้าหน้าที่", "พนักงาน", "พูดจา", "สุภาพ", "ยิ้ม", "ใจดี", "หน้าบึ้ง", "ดุ",
        "ตะคอก", "มารยาท", "ข้าราชการ", "ผู้ให้บริการ", "เต็มใจ", "ช่วยเหลือ", "แนะนำ",
        "อธิบาย", "เอาใจใส่", "ใส่ใจ", "กระตือรือร้น", "น่ารัก", "พูดเพราะ", "ไม่สนใจ",
        "เล่นมือถือ", "คุยกัน", "น้องเจ้าหน้าที่", "พี่เจ้าหน้าที่",
        "staff", "officer", "officers", "clerk", "polite", "rude", "friendly", "helpful",
        "kind", "smile", "smiled", "explained", "attitude", "unhelpful",
    ),
    "facilities": (
        "ที่จอดรถ", "จอดรถ", "แอร์", "ร้อน", "ห้องน้ำ", "เก้าอี้", "ที่นั่ง", "สถานที่",
        "ป้าย", "สะอาด", "สกปรก", "ลิฟต์", "ทางลาด", "น้ำดื่ม", "อาคาร", "คับแคบ",
        "แออัด", "พัดลม", "ไฟดับ", "ตู้กดบัตรคิว", "wifi", "ไวไฟ", "ผู้พิการ", "รถเข็น",
        "parking", "toilet", "toilets", "restroom", "air", "aircon", "seats", "seat",
        "chairs", "clean", "dirty", "building", "hot", "crowded", "wheelchair", "ramp",
    ),
    "outcome": (
        "ได้รับ", "เสร็จ", "เรียบร้อย", "สำเร็จ", "แก้ปัญหา", "แก้ไข", "ผลลัพธ์",
        "ได้บัตร", "ได้เอกสาร", "ผิดพลาด", "ถูกต้อง", "ไม่ได้เรื่อง", "ไม่สำเร็จ",
        "กลับมาใหม่", "มาใหม่", "อนุมัติ", "ไม่ผ่าน", "ได้ใบ", "ทำไม่ได้",
        "done", "finished", "result", "solved", "resolved", "wrong", "approved",
        "rejected", "completed", "sorted", "got my",
    ),
    "waiting": (
        "รอ", "รอนาน", "คิว", "ต่อคิว", "นาน", "ช้า", "เร็ว", "รวดเร็ว", "ทันใจ",
        "ชั่วโมง", "นาที", "ทั้งวัน", "ครึ่งวัน", "ไว", "ล่าช้า", "อืด",
        "wait", "waited", "waiting", "queue", "slow", "fast", "quick", "quickly", "hour",
        "hours", "minutes", "long line", "delay",
    ),
    "documents": (
        "เอกสาร", "สำเนา", "ถ่ายเอกสาร", "ทะเบียนบ้าน", "บัตรประชาชน", "บัตรประจำตัว",
        "รูปถ่าย", "หลักฐาน", "ลายเซ็น", "เซ็นรับรอง", "รับรองสำเนา", "ใบรับรอง",
        "document", "documents", "copy", "copies", "photocopy", "photocopies", "paperwork",
        "id card", "house registration", "certificate",
    ),
}  # fmt: skip

# A photocopy asked for: a copy word not negated just before it.
_COPY = re.compile(r"สำเนา|ถ่ายเอกสาร|ซีร็อก|photo ?cop|xerox|\bcop(?:y|ies)\b")
_NEGATION = re.compile(
    r"(?:(?:ไม่|ยกเลิก|เลิก)\S{0,10}|"
    r"(?:\bno\b|\bnot\b|n't|\bwithout\b|\bnever\b|\bnone\b)[^.!?,]{0,20})$"
)
# English copy words that are not about a photocopy asked for ("a copy of my receipt" is).
_NOT_ASKED = re.compile(r"no[- ]copy|copy[- ]free")


def _lexicon_index() -> tuple[dict[str, set[str]], list[tuple[str, str]]]:
    by_token: dict[str, set[str]] = {}
    phrases: list[tuple[str, str]] = []
    for topic, words in LEXICON.items():
        for word in words:
            by_token.setdefault(word, set()).add(topic)
            if len(word) >= 4 or " " in word:
                phrases.append((word, topic))
    return by_token, phrases


_BY_TOKEN, _PHRASES = _lexicon_index()


def text_topics(norm: str, tokens: list[str]) -> set[str]:
    """Topics the (normalised) text talks about."""
    found: set[str] = set()
    for token in tokens:
        found |= _BY_TOKEN.get(token, set())
    for phrase, topic in _PHRASES:
        if topic not in found and phrase in norm:
            found.add(topic)
    return found


def topics(norm: str, tokens: list[str], chips: list[str]) -> list[str]:
    """The comment's topics, in ``TOPICS`` order: the text's and the chips'."""
    found = text_topics(norm, tokens) | {CHIP_TOPIC[c] for c in chips if c in CHIP_TOPIC}
    return [t for t in TOPICS if t in found]


def mentions_copy_asked(norm: str) -> bool:
    """Does the (normalised) comment say a photocopy was asked for? A copy word counts
    unless a negation stands just before it (Thai ``ไม่``/``ยกเลิก`` in the same word run,
    e.g. ``ไม่ต้องใช้สำเนา``; English no/not/n't/without/never within a few words) or it is
    the No Copy name itself."""
    if _NOT_ASKED.search(norm):
        norm = _NOT_ASKED.sub(" ", norm)
    return any(not _NEGATION.search(norm[: m.start()]) for m in _COPY.finditer(norm))
