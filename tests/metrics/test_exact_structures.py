"""Exact collapse structures measure as collapsed: every metric that should vanish is 0 to float64 rounding,
for any K, any dimension d >= K (d >= K-1 for the ETF) and imbalanced class sizes."""

import math

import numpy as np
import pytest

from verify.geometry.examples import collapsed
from verify.metrics import collapse_report, hyperspherical_energy, simplex_energy
from verify.record import Undefined

#: float64 round-off of these constructions: a random rotation, means of O(10) rows, an SVD, and norms of
#: residuals of O(eps) entries (a distance of sqrt(K^2 eps^2) ~ K eps); 1e-12 leaves three decades above it.
EXACT = 1e-12

ZERO_AT_ETF = (
    "nc1", "nc1_rank", "nc1_quotient", "cdnv", "equinorm_means", "equinorm_classifiers",
    "equiangularity_means", "max_equiangularity_means", "cosine_spread_means",
    "equiangularity_classifiers", "max_equiangularity_classifiers", "cosine_spread_classifiers",
    "etf_distance_means", "etf_distance_classifiers", "energy_gap_means", "energy_gap_classifiers",
    "self_duality", "self_duality_dot",
)  # fmt: skip


@pytest.mark.parametrize("K,d", [(2, 1), (3, 2), (4, 4), (7, 9), (10, 12)])
@pytest.mark.parametrize("sizes", ["balanced", "imbalanced"])
def test_shifted_simplex_etf_with_aligned_classifier_is_collapsed(K, d, sizes):
    rng = np.random.default_rng(10 * K + d)
    counts = 3 if sizes == "balanced" else rng.integers(1, 9, size=K)
    H, y, means = collapsed("etf", K, d, counts, rng)
    W = (means - means.mean(axis=0)) / 2  # the classifier is the centred means, up to scale
    r = collapse_report(H, y, W, np.zeros(K))
    for key in ZERO_AT_ETF:
        assert abs(r[key]) < EXACT, (key, r[key])
    assert r["nc4_agreement"] == r["nc4_agreement_nobias"] == r["accuracy"] == 1.0


@pytest.mark.parametrize("K,d", [(2, 2), (3, 5), (6, 6), (9, 11)])
def test_orthogonal_frame_is_collapsed_uncentred_and_an_etf_after_centring(K, d):
    """Tirer & Bruna 2022, Thm 3.1: bias-free collapse to an orthogonal frame, W aligned with Hbar^T."""
    rng = np.random.default_rng(K + d)
    H, y, means = collapsed("orthogonal", K, d, rng.integers(1, 6, size=K), rng)
    r = collapse_report(H, y, 0.5 * means)
    assert r["orthogonal_frame_distance"] < EXACT
    assert r["self_duality_uncentred"] < EXACT
    # a rotated frame has negative entries: Dang et al.'s metric declines, by name, instead of a number
    assert isinstance(r["nonnegative_orthogonality"], Undefined)
    assert "negative entries" in r["nonnegative_orthogonality"].reason
    assert r["etf_distance_means"] < EXACT  # centring an orthogonal frame gives a simplex ETF
    assert r["nc1"] < EXACT


def test_general_orthogonal_frame_of_nonnegative_features_has_zero_orthogonality_any_lengths():
    """Dang et al. 2024: non-negative class means with disjoint supports, different lengths."""
    K, d = 4, 6
    means = np.zeros((K, d))
    for k, length in enumerate([1.0, 2.5, 0.3, 4.0]):
        means[k, k] = length
    y = np.repeat(np.arange(K), [5, 1, 3, 2])
    r = collapse_report(means[y], y)
    assert r["nonnegative_orthogonality"] == 0.0
    assert r["orthogonal_frame_distance"] > 0.1  # unequal lengths: not an orthogonal frame
    assert r["nc1"] == 0.0


@pytest.mark.parametrize("K", [2, 3, 5, 8])
@pytest.mark.parametrize("s", [0.0, 1.0, 2.0])
def test_simplex_energy_is_the_minimum_over_random_configurations(K, s):
    """The simplex's Riesz energy (closed form) lies below the energy of every random configuration tried
    (universal optimality, Cohn & Kumar 2007) and equals the energy of a constructed ETF."""
    rng = np.random.default_rng(K)
    etf = collapsed("etf", K, K + 1, 1, rng, shift=False)[2]
    assert hyperspherical_energy(etf, s=s) == pytest.approx(simplex_energy(K, s), rel=EXACT, abs=EXACT)
    for _ in range(20):
        assert hyperspherical_energy(rng.normal(size=(K, K + 1)), s=s) > simplex_energy(K, s)


def test_uncollapsed_features_are_not_collapsed():
    rng = np.random.default_rng(0)
    K, d = 4, 6
    y = np.repeat(np.arange(K), 50)
    centres = np.eye(K, d) * 2
    r = collapse_report(centres[y] + rng.normal(size=(len(y), d)), y, np.eye(K, d))
    assert r["nc1"] > 0.5  # within-class spread comparable to the between-class spread
    # orthogonal classifier rows: every cosine is 0 against the simplex value -1/3
    assert r["equiangularity_classifiers"] == pytest.approx(1 / 3, abs=EXACT)
    assert r["etf_distance_classifiers"] == pytest.approx(
        np.linalg.norm(np.eye(K) / 2 - (np.eye(K) - 1 / K) / math.sqrt(K - 1)), abs=EXACT
    )
