"""Comment sentiment: retrain the shipped model reproducibly and measure it.

    python bench/sentiment.py [--corpus DIR] [--write] [--split test|valid] [--per-comment N]

1. reads Wisesight Sentiment from ``--corpus`` (default ``$CP_WISESIGHT_DIR`` or
   ``/work/shared/corpora/wisesight-sentiment``; never copied into the repository);
2. trains with ``central.comments.train`` on the train split (``train.DEFAULT``: the recipe
   chosen on the valid split and by cross-validation within train, see docs/comments.md;
   the class biases are tuned on out-of-fold scores within train) and reports it on the
   valid split (where the choices were made);
3. exports the model (``.npz`` + JSON vocabulary) to a temporary folder, or with
   ``--write`` over the shipped one in ``central/comments/data``; says whether the fresh
   model equals the shipped one (training is deterministic);
4. loads it back through the shipped inference code (``central.comments.sentiment``,
   numpy only) and reports accuracy and macro-F1 on the **test** split next to the
   published results, and the time per comment on one core, tokenising included (CPU
   time of the thread: ``ms_per_comment``; wall clock too, which on a shared machine
   also counts the time other processes held the core);
5. runs the same model on the project's own labelled government-service comments
   (``tests/central/data/gov_comments.tsv``, Thai and English; an evaluation set: nothing
   is tuned on it), each figure for all of them, the Thai and the English ones: the model
   alone; the model with the question rule (the pipeline before comments without Thai
   script went to VADER); the comments pipeline as it is
   (``central.comments.analysis.comment_sentiment`` with this model: VADER for comments
   without Thai script, see ``central/comments/english.py``, then the question rule); and
   VADER's CPU time per English comment.

Needs the ``dev`` extra (scikit-learn). Last line: one JSON object, units in the keys.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one core
os.environ.setdefault("PYTHAINLP_OFFLINE", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from central.comments import english, sentiment, train  # noqa: E402
from central.comments.analysis import comment_sentiment  # noqa: E402

PUBLISHED = {"NBSVM": 72.03, "XLM-R": 73.57, "WangchanBERTa": 76.19}
GOV_SET = REPO / "tests" / "central" / "data" / "gov_comments.tsv"


def read_gov_set(path: Path = GOV_SET) -> list[tuple[str, str, str]]:
    """(label, language, text) per line of the project's own evaluation set."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        label, lang, text = line.split("\t", 2)
        rows.append((label, lang, text))
    return rows


def score(model, texts: list[str], labels: list[str]) -> dict:
    pred = [model.predict(t).label for t in texts]
    y = np.array([train.LABELS.index(x) for x in labels])
    p = np.array([train.LABELS.index(x) for x in pred])
    per = {}
    for c, name in enumerate(train.LABELS):
        tp = int(np.sum((p == c) & (y == c)))
        fp = int(np.sum((p == c) & (y != c)))
        fn = int(np.sum((p != c) & (y == c)))
        per[name] = 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)
    present = [per[n] for c, n in enumerate(train.LABELS) if np.any(y == c)]
    return {
        "accuracy": float(np.mean(p == y)),
        "macro_f1": float(np.mean(present)),
        "f1": per,
        "pred": pred,
    }


class _WithQuestionRule:
    """The model with the question rule, for every comment: the comments pipeline before
    comments without Thai script went to VADER."""

    def __init__(self, model) -> None:
        self.model = model

    def predict(self, text: str):
        from central.comments.features import normalise

        mood = self.model.predict(text)
        if mood.label == "neu" and sentiment.is_question(normalise(text)):
            return sentiment.Sentiment("q", mood.polarity)
        return mood


class _Pipeline:
    """The comments pipeline as it is (``analysis.comment_sentiment``), with ``model`` as
    its Thai model."""

    def __init__(self, model) -> None:
        self.model = model

    def predict(self, text: str):
        return comment_sentiment(text, model=self.model)


def gov_figures(model, gov: list[tuple[str, str, str]]) -> dict:
    """Scores on the whole government set and on each language of it."""
    out = {"all": score(model, [t for _, _, t in gov], [lab for lab, _, _ in gov])}
    for lang in sorted({g[1] for g in gov}):
        rows = [(lab, t) for lab, lg, t in gov if lg == lang]
        out[lang] = score(model, [t for _, t in rows], [lab for lab, _ in rows])
        out[lang]["n"] = len(rows)
    return out


def vader_cpu(texts: list[str], rounds: int = 200) -> tuple[float, float]:
    """CPU ms to import VADER and read its lexicon (first use in this process), and CPU ms
    per comment of ``english.classify`` (thread time over ``rounds`` passes over ``texts``)."""
    cpu = time.thread_time()
    english.analyser()
    load_ms = (time.thread_time() - cpu) * 1000
    cpu = time.thread_time()
    for _ in range(rounds):
        for t in texts:
            english.classify(t)
    return load_ms, (time.thread_time() - cpu) * 1000 / (rounds * len(texts))


def same_model(a: Path, b: Path) -> bool:
    try:
        with np.load(a / "sentiment.npz") as x, np.load(b / "sentiment.npz") as y:
            arrays = sorted(x.files) == sorted(y.files) and all(
                np.array_equal(x[k], y[k]) for k in x.files
            )
        va = json.loads((a / "sentiment_vocab.json").read_text(encoding="utf-8"))
        vb = json.loads((b / "sentiment_vocab.json").read_text(encoding="utf-8"))
        return arrays and va["members"] == vb["members"]
    except (OSError, KeyError, ValueError):
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--corpus",
        type=Path,
        default=Path(
            os.environ.get("CP_WISESIGHT_DIR", "/work/shared/corpora/wisesight-sentiment")
        ),
    )
    parser.add_argument("--write", action="store_true", help="overwrite the shipped model")
    parser.add_argument(
        "--split",
        choices=("test", "valid"),
        default="test",
        help="the split measured (valid: while choosing, so that test is not looked at)",
    )
    parser.add_argument(
        "--per-comment", type=int, default=0, help="time only the first N test comments"
    )
    args = parser.parse_args()

    t0 = time.perf_counter()
    splits = {s: train.read_split(args.corpus, s) for s in {"train", "valid", args.split}}
    docs = train.featurize(splits["train"][0])
    model = train.fit(docs, splits["train"][1], train.DEFAULT)
    train_s = time.perf_counter() - t0
    valid = train.evaluate(model, train.featurize(splits["valid"][0]), splits["valid"][1])
    shipped = sentiment.data_dir()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        train.export(model, out)
        identical = same_model(out, shipped)  # before --write replaces the shipped one
        if args.write:
            train.export(model, shipped)
        model_mb = sum(p.stat().st_size for p in out.glob("sentiment*")) / 1e6
        loaded = sentiment.load(out)

        texts, labels = splits[args.split]
        result = score(loaded, texts, labels)
        timed = texts[: args.per_comment] if args.per_comment else texts
        for t in timed[:50]:
            loaded.predict(t)  # warm caches
        start, cpu = time.perf_counter(), time.thread_time()
        for t in timed:
            loaded.predict(t)
        # CPU time of this thread: the machine's cores are shared, so wall time also
        # counts the time other processes held the core.
        ms = (time.thread_time() - cpu) * 1000 / len(timed)
        wall_ms = (time.perf_counter() - start) * 1000 / len(timed)

        gov = read_gov_set()
        # first, while VADER is not loaded yet in this process
        vader_load_ms, vader_ms = vader_cpu([t for _, lg, t in gov if lg == "en"])
        gov_rows = {
            "the model alone": gov_figures(loaded, gov),
            "model + question rule (pipeline before VADER)": gov_figures(
                _WithQuestionRule(loaded), gov
            ),
            "the comments pipeline (model; VADER without Thai script; question rule)": (
                gov_figures(_Pipeline(loaded), gov)
            ),
        }
        alone, with_rule, pipeline = gov_rows.values()
        n_vader = sum(english.is_english(t) for _, _, t in gov)

    n_features = " + ".join(f"{len(p.vocab)} {p.view}" for p in model.parts)
    print(f"trained in {train_s:.0f} s on {len(splits['train'][0])} comments "
          f"({n_features} features); recipe: {train.DEFAULT}")  # fmt: skip
    print(f"  class biases tuned by {train.DEFAULT.folds}-fold cross-validation within "
          f"train: {model.meta.get('bias_tuning')}")  # fmt: skip
    print(f"Wisesight valid split ({len(splits['valid'][0])} comments, where the choices "
          f"were made): accuracy {valid['accuracy'] * 100:.2f}  macro-F1 "
          f"{valid['macro_f1'] * 100:.2f}")  # fmt: skip
    print(f"Wisesight {args.split} split ({len(texts)} comments):")
    print(f"  this model     accuracy {result['accuracy'] * 100:.2f}  "
          f"macro-F1 {result['macro_f1'] * 100:.2f}")  # fmt: skip
    print("  F1 per class   " + "  ".join(f"{k} {v * 100:.1f}" for k, v in result["f1"].items()))
    for name, acc in PUBLISHED.items():
        print(f"  {name:<14} accuracy {acc:.2f}  (published)")
    print(f"  time per comment (one core, tokenising included): {ms:.3f} ms CPU, "
          f"{wall_ms:.3f} ms wall clock")  # fmt: skip
    print(f"  model size {model_mb:.1f} MB; same as the shipped model: {identical}")
    print(f"Own government-service comments ({len(gov)}; {n_vader} without Thai script, "
          f"read by VADER in the pipeline):")  # fmt: skip
    for name, figures in gov_rows.items():
        print(f"  {name}:")
        for part, r in figures.items():
            what = f"{part} ({r['n']})" if "n" in r else f"all ({len(gov)})"
            print(f"    {what:<9} accuracy {r['accuracy'] * 100:5.1f}  macro-F1 "
                  f"{r['macro_f1'] * 100:5.1f}  F1 "
                  + "  ".join(f"{k} {v * 100:.0f}" for k, v in r["f1"].items()))  # fmt: skip
    print(f"  VADER CPU time: {vader_load_ms:.1f} ms to read its lexicon (once per process), "
          f"{vader_ms:.3f} ms per English comment")  # fmt: skip
    print(
        json.dumps(
            {
                "split": args.split,
                "accuracy": round(result["accuracy"], 4),
                "macro_f1": round(result["macro_f1"], 4),
                "valid_accuracy": round(valid["accuracy"], 4),
                "valid_macro_f1": round(valid["macro_f1"], 4),
                "ms_per_comment": round(ms, 4),
                "wall_ms_per_comment": round(wall_ms, 4),
                "model_mb": round(model_mb, 2),
                "gov_accuracy": round(alone["all"]["accuracy"], 4),
                "gov_macro_f1": round(alone["all"]["macro_f1"], 4),
                "gov_rule_accuracy": round(with_rule["all"]["accuracy"], 4),
                "gov_rule_macro_f1": round(with_rule["all"]["macro_f1"], 4),
                "gov_pipeline_accuracy": round(pipeline["all"]["accuracy"], 4),
                "gov_pipeline_macro_f1": round(pipeline["all"]["macro_f1"], 4),
                "gov_en_rule_accuracy": round(with_rule["en"]["accuracy"], 4),
                "gov_en_pipeline_accuracy": round(pipeline["en"]["accuracy"], 4),
                "vader_ms_per_comment": round(vader_ms, 4),
                "train_s": round(train_s, 1),
                "same_as_shipped": identical,
            }
        )
    )


if __name__ == "__main__":
    main()
