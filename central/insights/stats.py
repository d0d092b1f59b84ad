"""The maths of the insights pages, on score histograms (counts of 1..5) and yes/no
counts. Pure functions, no database.

Fair scores (empirical Bayes): a service point's score for a service is pulled toward the
national mean of the same service by a prior worth ``m`` ratings,

    score = (n * mean + m * national_mean) / (n + m)

``m`` is estimated from the data per service (method of moments): the variance between
points' true means is ``tau2 = var(point means) - sigma2 / typical n`` and
``m = sigma2 / tau2`` (``sigma2`` the within-point variance of single ratings). When
points truly differ a lot, ``m`` is small (the data speak); when they hardly differ,
``m`` is large (a handful of ratings says little). The 95 % interval is
``score +- 1.96 * sqrt(sigma2 / (n + m))``; "clearly worst" lists rank by its upper end,
so a point is only called clearly worse when even the optimistic reading is low.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

Z95 = 1.96
M_MIN, M_MAX = 2.0, 200.0


def n_of(hist: Sequence[int]) -> int:
    return int(sum(hist))


def mean_of(hist: Sequence[int]) -> float | None:
    n = n_of(hist)
    return sum((i + 1) * c for i, c in enumerate(hist)) / n if n else None


def var_of(hist: Sequence[int]) -> float | None:
    n = n_of(hist)
    if n < 2:
        return None
    mean = mean_of(hist)
    return sum(c * ((i + 1) - mean) ** 2 for i, c in enumerate(hist)) / (n - 1)


def satisfied_share(hist: Sequence[int]) -> float | None:
    """Share of 4 and 5 ("satisfied" / "very satisfied")."""
    n = n_of(hist)
    return (hist[3] + hist[4]) / n if n else None


def wilson(yes: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """95 % Wilson interval of a share ``yes / n``."""
    if n <= 0:
        return None
    p = yes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Prior:
    mean: float
    weight: float  # m, in ratings
    sigma2: float  # within-point variance of one rating


def estimate_prior(groups: Iterable[Sequence[int]]) -> Prior | None:
    """The prior of one service from the histograms of every point offering it."""
    hists = [h for h in groups if n_of(h) > 0]
    if not hists:
        return None
    total = [sum(h[i] for h in hists) for i in range(5)]
    mean = mean_of(total)
    within = [(n_of(h) - 1, var_of(h)) for h in hists if n_of(h) >= 2]
    dof = sum(d for d, _ in within)
    sigma2 = sum(d * v for d, v in within) / dof if dof else (var_of(total) or 1.0)
    sigma2 = max(sigma2, 0.05)
    if len(hists) < 3:
        return Prior(mean, M_MAX / 4, sigma2)
    means = [mean_of(h) for h in hists]
    ns = [n_of(h) for h in hists]
    k = len(hists)
    grand = sum(means) / k
    between = sum((x - grand) ** 2 for x in means) / (k - 1)
    harmonic_n = k / sum(1 / n for n in ns)
    tau2 = between - sigma2 / harmonic_n
    weight = M_MAX if tau2 <= 0 else min(M_MAX, max(M_MIN, sigma2 / tau2))
    return Prior(mean, weight, sigma2)


@dataclass(frozen=True)
class Fair:
    n: int
    raw_mean: float
    score: float
    low: float
    high: float
    prior_mean: float
    prior_weight: float


def fair_score(parts: Iterable[tuple[Sequence[int], Prior]]) -> Fair | None:
    """The fair score of one thing (a point, a counter, a service) made of one or more
    (histogram, prior of that histogram's service) parts. The prior of the whole is the
    parts' priors weighted by their counts."""
    parts = [(h, p) for h, p in parts if n_of(h) > 0]
    if not parts:
        return None
    n = sum(n_of(h) for h, _ in parts)
    total = sum(sum((i + 1) * c for i, c in enumerate(h)) for h, _ in parts)
    prior_mean = sum(n_of(h) * p.mean for h, p in parts) / n
    weight = sum(n_of(h) * p.weight for h, p in parts) / n
    sigma2 = sum(n_of(h) * p.sigma2 for h, p in parts) / n
    score = (total + weight * prior_mean) / (n + weight)
    half = Z95 * math.sqrt(sigma2 / (n + weight))
    return Fair(n, total / n, score, score - half, score + half, prior_mean, weight)
