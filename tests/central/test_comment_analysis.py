"""Comment analysis without a database: topics from the lexicon and the chips, the
photocopy-asked evidence, junk, and the shipped sentiment model (plain arrays, no pickle,
loaded lazily, offline)."""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest

from central.comments import sentiment
from central.comments.analysis import analyse
from central.comments.features import VIEWS, normalise, tokens
from central.comments.junk import junk_reason
from central.comments.topics import mentions_copy_asked


@pytest.mark.parametrize(
    ("text", "chips", "expected"),
    [
        ("เจ้าหน้าที่พูดจาดีมาก", [], ["staff"]),
        ("รอนานเกือบสองชั่วโมง", [], ["waiting"]),
        ("ขั้นตอนยุ่งยาก ต้องกรอกแบบฟอร์มหลายใบ", [], ["process"]),
        ("ที่จอดรถไม่พอ ห้องน้ำสกปรก", [], ["facilities"]),
        ("ได้บัตรใหม่เรียบร้อยภายในวันเดียว", [], ["outcome"]),
        ("ต้องถ่ายสำเนาทะเบียนบ้านเพิ่ม", [], ["documents"]),
        ("The officer was rude and we waited three hours", [], ["staff", "waiting"]),
        ("ขอบคุณครับ", ["staff", "waiting_time"], ["staff", "waiting"]),
        ("ขอบคุณครับ", ["steps"], ["process"]),
        ("แอร์ร้อน", ["outcome"], ["facilities", "outcome"]),
    ],
)
def test_topics_come_from_the_text_and_the_chips(text, chips, expected) -> None:
    assert analyse(text, chips).topics == expected


@pytest.mark.parametrize(
    ("text", "asked"),
    [
        ("ยังขอสำเนาบัตรประชาชนอยู่เลย", True),
        ("ให้ไปถ่ายเอกสารข้างนอก เสียเวลา", True),
        ("บริการไม่ดี ขอสำเนาทะเบียนบ้านเพิ่ม", True),
        ("They asked for a photocopy of my ID card", True),
        ("Had to bring two copies of the house registration", True),
        ("ไม่ต้องใช้สำเนาแล้ว สะดวกมาก", False),
        ("ไม่ได้ขอสำเนาอะไรเลย", False),
        ("ยกเลิกสำเนาแล้ว ดีมาก", False),
        ("No copies needed, great", False),
        ("They didn't ask for any copies", False),
        ("This office is No Copy now", False),
        ("เจ้าหน้าที่ใจดี", False),
    ],
)
def test_photocopy_asked_is_evidence_only_when_not_negated(text, asked) -> None:
    assert mentions_copy_asked(normalise(text)) is asked
    assert analyse(text).mentions_copy_asked is asked


@pytest.mark.parametrize(
    "text", ["ต้องใช้สำเนาทะเบียนบ้านไหมคะ", "Do I need a photocopy of my passport?"]
)
def test_a_question_about_copies_is_no_evidence(text) -> None:
    assert analyse(text).mentions_copy_asked is False


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("-", "empty"),
        ("...", "empty"),
        ("ไม่มีครับ", "empty"),
        ("no comment", "empty"),
        ("😄😄", "empty"),
        ("ดดดดดดดดดด", "repeated"),
        ("!!!!!!!!", "empty"),
        ("55555555", "empty"),
        ("ฟหกดเ้่าสว", "mashing"),
        ("ฟหกดฟหกด", "mashing"),
        ("asdfghjkl", "mashing"),
        ("ั้ีืกหด่้", "mashing"),
        ("เหี้ยมาก รอนาน", "profanity"),
        ("fuck this queue", "profanity"),
        ("เจ้าหน้าที่ดีมาก", None),
        ("รอแทบตาย แต่ก็ได้บัตร", None),  # "ตาย" said in earnest is kept
        ("กว่าจะเสร็จ น่าสวยกว่านี้", None),  # four home-row keys in a real word
        ("ดีมากกกกกกก", None),  # an elongated word is not junk
        ("ok", None),
        ("โทร [เบอร์โทร] ด้วยค่ะ รอนาน", None),
    ],
)
def test_junk(text, reason) -> None:
    assert junk_reason(text, tokens(normalise(text))) == reason
    assert analyse(text).junk is (reason is not None)


def test_sentiment_of_clear_thai_comments() -> None:
    assert sentiment.classify("บริการดีมาก ประทับใจ ขอบคุณค่ะ").label == "pos"
    assert sentiment.classify("แย่มาก ไม่ประทับใจเลย รอนานมาก").label == "neg"
    assert sentiment.classify("ต้องใช้เอกสารอะไรบ้างคะ").label == "q"
    good = sentiment.classify("ดีมาก ประทับใจ").polarity
    bad = sentiment.classify("แย่มาก ห่วย").polarity
    assert -1 <= bad < 0 < good <= 1


def test_model_is_plain_arrays_and_json_under_20_mb() -> None:
    folder = sentiment.data_dir()
    arrays, vocab = folder / "sentiment.npz", folder / "sentiment_vocab.json"
    assert arrays.stat().st_size + vocab.stat().st_size < 20e6
    doc = json.loads(vocab.read_text(encoding="utf-8"))
    assert doc["labels"] == ["pos", "neu", "neg", "q"]
    views = [m["view"] for m in doc["members"]]
    assert views == ["mixed", "words"]
    with zipfile.ZipFile(arrays) as z:
        assert sorted(z.namelist()) == [
            "bias.npy",
            "idf_0.npy",
            "idf_1.npy",
            "weights_0.npy",
            "weights_1.npy",
        ]
    with np.load(arrays, allow_pickle=False) as data:  # refuses object arrays (pickles)
        assert data["bias"].shape == (4,)
        for i, member in enumerate(doc["members"]):
            assert data[f"weights_{i}"].dtype == np.float32
            assert data[f"weights_{i}"].shape == (len(member["features"]), 4)
            assert data[f"idf_{i}"].shape == (len(member["features"]),)
            # every feature string starts with a prefix of its view
            prefixes = set(VIEWS[member["view"]])
            assert {f[:2] for f in member["features"]} == prefixes


def test_analysis_words_drop_stopwords_and_mask_tokens() -> None:
    result = analyse("เจ้าหน้าที่ที่ช่องสองพูดจาไม่ดี โทร [เบอร์โทร] ครับ")
    assert "เจ้าหน้าที่" in result.words
    assert not {"ที่", "ครับ", "เบอร์โทร", "[", "]"} & set(result.words)


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("ต้องใช้สำเนาทะเบียนบ้านไหมคะ", "q"),
        ("ทำบัตรได้วันเสาร์หรือเปล่าครับ", "q"),
        ("Is the office open on Saturday?", "q"),
        ("ค่าธรรมเนียมเท่าไหร่ครับ", "q"),
        ("มาต่อใบขับขี่ประเภทรถยนต์", "neu"),
    ],
)
def test_a_neutral_comment_phrased_as_a_question_is_a_question(text, label) -> None:
    assert analyse(text).sentiment == label


def test_training_and_the_shipped_inference_agree(tmp_path) -> None:
    """A model trained by central.comments.train, exported and read back by the numpy
    inference of central.comments.sentiment scores comments as training does."""
    pytest.importorskip("sklearn")
    from central.comments import train

    texts = {
        "pos": ["บริการดีมาก ประทับใจ", "เจ้าหน้าที่ใจดี ขอบคุณค่ะ", "รวดเร็วมาก ชอบ", "ดีมากครับ"],
        "neu": ["มาต่อบัตรประชาชน", "ยื่นเอกสารที่ช่องสอง", "มาทำใบขับขี่", "มารับเอกสาร"],
        "neg": ["รอนานมาก แย่", "เจ้าหน้าที่พูดจาไม่ดี", "ห้องน้ำสกปรก แย่มาก", "ช้ามาก ไม่ประทับใจ"],
        "q": ["ต้องใช้เอกสารอะไรบ้างคะ", "เปิดกี่โมงครับ", "ทำแทนได้ไหม", "ค่าธรรมเนียมเท่าไหร่"],
    }
    corpus = [(t, lab) for lab, rows in texts.items() for t in rows for _ in range(3)]
    config = train.Config(
        members=(
            train.Member(view="mixed", weight=0.75, min_df=1),
            train.Member(view="words", weight=0.25, min_df=1),
        ),
        folds=2,
    )
    docs = train.featurize([t for t, _ in corpus])
    model = train.fit(docs, [lab for _, lab in corpus], config)
    train.export(model, tmp_path)
    loaded = sentiment.load(tmp_path)
    probe = ["บริการดีมาก", "รอนานมาก", "เปิดกี่โมงคะ", "hello"]
    expected = train.scores(model, train.featurize(probe))
    got = np.array([loaded.scores(t) for t in probe])
    assert np.allclose(got, expected, atol=1e-4)
