"""Training the comment sentiment model (needs the ``dev`` extra: scikit-learn, scipy).

The corpus is Wisesight Sentiment (``/work/shared/corpora/wisesight-sentiment`` or any
directory with ``train.jsonl``, ``valid.jsonl``, ``test.jsonl`` of ``{"category", "texts"}``
lines). It is read from where it lies and never copied into the repository.

Recipe (chosen on the valid split, see docs/comments.md):

1. features from :mod:`central.comments.features` (word 1-2-grams on PyThaiNLP tokens and
   character 2-4-grams), kept when seen in at least ``min_df`` training comments;
2. sublinear TF-IDF, rows L2-normalised;
3. per class, one-vs-rest NB-SVM: the features are scaled by the class's log-count ratio
   (smoothed), then a logistic regression (class weights ``balanced``) is fitted; since the
   scaling is element-wise it folds into the weights, so the result is one linear layer;
4. a bias per class added to the scores, tuned on the valid split to raise macro-F1 without
   losing accuracy (the question class ``q`` is rare: 2 % of the training comments).

The result is exported by :func:`export` as plain arrays (``.npz``, no pickles) and a JSON
vocabulary, read by :mod:`central.comments.sentiment`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from central.comments.features import features

LABELS = ("pos", "neu", "neg", "q")


@dataclass
class Config:
    min_df: int = 2
    C: float = 4.0
    nb_alpha: float = 1.0
    nb_power: float = 1.0  # 0 = plain TF-IDF + LR, 1 = full NB scaling
    class_weight: str | None = "balanced"
    classifier: str = "lr"  # "lr" (logistic regression) or "svm" (linear SVM)
    # An ensemble: (classifier, C, nb_power, class_weight) per member; overrides the above.
    members: tuple = ()
    tune_bias: bool = True
    f1_weight: float = 1.0  # bias tuning maximises accuracy + f1_weight * macro-F1 on valid
    seed: int = 0


@dataclass
class Model:
    vocab: list[str]
    idf: np.ndarray  # (V,) float32
    weights: np.ndarray  # (V, 4) float32
    bias: np.ndarray  # (4,) float32
    labels: tuple[str, ...] = LABELS
    meta: dict = field(default_factory=dict)


def read_split(corpus: Path, split: str) -> tuple[list[str], list[str]]:
    texts: list[str] = []
    labels: list[str] = []
    with open(corpus / f"{split}.jsonl", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            texts.append(row["texts"])
            labels.append(row["category"])
    return texts, labels


def featurize(texts: Sequence[str]) -> list[list[str]]:
    return [features(t) for t in texts]


def _matrix(docs: list[list[str]], index: dict[str, int]):
    from scipy.sparse import csr_matrix

    indptr = [0]
    cols: list[int] = []
    data: list[float] = []
    for doc in docs:
        counts: dict[int, int] = {}
        for feat in doc:
            j = index.get(feat)
            if j is not None:
                counts[j] = counts.get(j, 0) + 1
        cols.extend(counts)
        data.extend(counts.values())
        indptr.append(len(cols))
    return csr_matrix(
        (np.asarray(data, np.float64), np.asarray(cols, np.int64), np.asarray(indptr)),
        shape=(len(docs), len(index)),
    )


def build_vocab(docs: list[list[str]], min_df: int) -> dict[str, int]:
    df: dict[str, int] = {}
    for doc in docs:
        for feat in set(doc):
            df[feat] = df.get(feat, 0) + 1
    kept = sorted(f for f, n in df.items() if n >= min_df)
    return {f: i for i, f in enumerate(kept)}


def tfidf(counts, idf: np.ndarray):
    """Sublinear TF-IDF with L2-normalised rows; the same arithmetic as inference."""
    from sklearn.preprocessing import normalize

    x = counts.copy()
    x.data = 1.0 + np.log(x.data)
    x = x.multiply(idf).tocsr()
    return normalize(x, norm="l2", copy=False)


def scores(model: Model, x) -> np.ndarray:
    return np.asarray(x @ model.weights) + model.bias


def _macro_f1(y: np.ndarray, pred: np.ndarray, k: int) -> float:
    f1s = []
    for c in range(k):
        tp = np.sum((pred == c) & (y == c))
        fp = np.sum((pred == c) & (y != c))
        fn = np.sum((pred != c) & (y == c))
        f1s.append(0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
    return float(np.mean(f1s))


def tune_bias(s: np.ndarray, y: np.ndarray, rounds: int = 3, f1_weight: float = 1.0) -> np.ndarray:
    """Per-class offsets maximising macro-F1 + accuracy on (valid) scores ``s``; a
    coordinate search over a fixed grid (deterministic)."""
    k = s.shape[1]
    bias = np.zeros(k)
    grid = np.linspace(-1.0, 1.0, 41)

    def objective(b: np.ndarray) -> float:
        pred = np.argmax(s + b, axis=1)
        return f1_weight * _macro_f1(y, pred, k) + float(np.mean(pred == y))

    best = objective(bias)
    for _ in range(rounds):
        for c in range(k):
            for step in grid:
                trial = bias.copy()
                trial[c] = step
                value = objective(trial)
                if value > best + 1e-9:
                    best, bias = value, trial
    return bias


def _fit_linear(x, binary, y, classifier, C, nb_power, class_weight, config):
    """One-vs-rest NB-scaled linear classifiers, folded into one (V, 4) weight matrix."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import LinearSVC

    weights = np.zeros((x.shape[1], len(LABELS)))
    bias = np.zeros(len(LABELS))
    for c in range(len(LABELS)):
        target = (y == c).astype(int)
        p = np.asarray(binary[target == 1].sum(axis=0)).ravel() + config.nb_alpha
        q = np.asarray(binary[target == 0].sum(axis=0)).ravel() + config.nb_alpha
        r = np.abs(np.log((p / p.sum()) / (q / q.sum())))
        scale = r**nb_power if nb_power else None
        xc = x.multiply(scale).tocsr() if scale is not None else x
        if classifier == "svm":
            clf = LinearSVC(C=C, class_weight=class_weight, random_state=config.seed)
        else:
            clf = LogisticRegression(
                C=C,
                class_weight=class_weight,
                max_iter=2000,
                solver="liblinear",
                random_state=config.seed,
            )
        clf.fit(xc, target)
        w = clf.coef_.ravel()
        weights[:, c] = w * scale if scale is not None else w
        bias[c] = clf.intercept_[0]
    return weights, bias


def fit(
    train_docs: list[list[str]],
    train_labels: Sequence[str],
    valid_docs: list[list[str]] | None,
    valid_labels: Sequence[str] | None,
    config: Config,
) -> Model:
    index = build_vocab(train_docs, config.min_df)
    counts = _matrix(train_docs, index)
    n_docs = counts.shape[0]
    df = np.bincount(counts.indices, minlength=len(index))
    idf = (np.log((1 + n_docs) / (1 + df)) + 1.0).astype(np.float64)
    x = tfidf(counts, idf)
    y = np.array([LABELS.index(lab) for lab in train_labels])
    binary = (counts > 0).astype(np.float64)

    members = config.members or (
        (config.classifier, config.C, config.nb_power, config.class_weight),
    )
    weights = np.zeros((len(index), len(LABELS)))
    bias = np.zeros(len(LABELS))
    for classifier, C, nb_power, class_weight in members:
        w, b = _fit_linear(x, binary, y, classifier, C, nb_power, class_weight, config)
        # Members speak on one scale: their train scores divided by their spread.
        spread = float(np.std(np.asarray(x @ w) + b)) or 1.0
        weights += w / spread / len(members)
        bias += b / spread / len(members)

    model = Model(
        vocab=list(index),
        idf=idf.astype(np.float32),
        weights=weights.astype(np.float32),
        bias=bias.astype(np.float32),
        meta={"config": config.__dict__},
    )
    if config.tune_bias and valid_docs is not None and valid_labels is not None:
        xv = tfidf(_matrix(valid_docs, index), idf)
        yv = np.array([LABELS.index(lab) for lab in valid_labels])
        offsets = tune_bias(scores(model, xv), yv, f1_weight=config.f1_weight)
        model.bias = (model.bias + offsets).astype(np.float32)
        model.meta["bias_offsets"] = offsets.tolist()
    return model


def evaluate(model: Model, docs: list[list[str]], labels: Sequence[str]) -> dict:
    index = {f: i for i, f in enumerate(model.vocab)}
    x = tfidf(_matrix(docs, index), model.idf.astype(np.float64))
    pred = np.argmax(scores(model, x), axis=1)
    y = np.array([LABELS.index(lab) for lab in labels])
    per_class = {}
    for c, name in enumerate(LABELS):
        tp = int(np.sum((pred == c) & (y == c)))
        fp = int(np.sum((pred == c) & (y != c)))
        fn = int(np.sum((pred != c) & (y == c)))
        per_class[name] = round(0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn), 4)
    return {
        "accuracy": float(np.mean(pred == y)),
        "macro_f1": _macro_f1(y, pred, len(LABELS)),
        "f1_per_class": per_class,
    }


def export(model: Model, directory: Path) -> tuple[Path, Path]:
    """Write ``sentiment.npz`` (idf, weights, bias as float32 arrays) and
    ``sentiment_vocab.json`` (the feature strings, in row order, and the labels)."""
    directory.mkdir(parents=True, exist_ok=True)
    arrays = directory / "sentiment.npz"
    vocab = directory / "sentiment_vocab.json"
    np.savez_compressed(arrays, idf=model.idf, weights=model.weights, bias=model.bias)
    with open(vocab, "w", encoding="utf-8") as fh:
        json.dump(
            {"labels": list(model.labels), "features": model.vocab, "meta": model.meta},
            fh,
            ensure_ascii=False,
            separators=(",", ":"),
        )
    return arrays, vocab


# The recipe chosen on the valid split (docs/comments.md has the comparison).
DEFAULT = Config(min_df=5, classifier="svm", C=0.3, nb_power=0.25, class_weight=None)
