"""Tiled K x K quantities: every tile size (1, not dividing K, K, > K) gives the dense float64 values to
1e-12, and the report step's memory does not grow like K^2."""

import math
import tracemalloc

import numpy as np
import pytest

from verify.base.errors import InputError
from verify.base.values import Undefined
from verify.geometry.examples import noisy
from verify.metrics import ClassStatistics, collapse_report, report_from_statistics
from verify.metrics import measures as m
from verify.metrics import variants as v

#: Tiled against dense: the same float64 products summed in another order (pairwise within tiles, fsum across)
#: and Gram distances refined below REFINE; on these O(1)-conditioned data the agreement is ~1e-15.
TILED = 1e-12

TILES = [1, 4, 7, 37, 64, 1024]


def _dense(V, W, means, var, s=1.0):
    """Direct dense computations of the pairwise quantities (explicit pairs, differences, K x K Grams)."""
    K = V.shape[0]
    i, j = np.triu_indices(K, k=1)
    U = V / np.linalg.norm(V, axis=1)[:, None]
    cos = np.array([U[a] @ U[b] for a, b in zip(i, j, strict=True)])
    dev = np.abs(cos + 1 / (K - 1))
    dist = np.linalg.norm(U[i] - U[j], axis=1)
    G = V @ V.T
    T = (np.eye(K) - np.ones((K, K)) / K) / math.sqrt(K - 1)
    P = W @ V.T
    Mu = means / np.linalg.norm(means, axis=1)[:, None]
    cu = (Mu @ Mu.T)[i, j]
    d2 = np.sum((means[i] - means[j]) ** 2, axis=1)
    return {
        "equiangularity": dev.mean(),
        "max_equiangularity": dev.max(),
        "cosine_spread": cos.std(),
        "mean_cos": cos.mean(),
        "energy": np.mean(dist ** (-s)) if s else np.mean(-np.log(dist)),
        "etf": np.linalg.norm(G / np.linalg.norm(G) - T),
        "orthogonal": np.linalg.norm(means @ means.T / np.linalg.norm(means @ means.T) - np.eye(K) / math.sqrt(K)),
        "dot": np.linalg.norm(P / np.linalg.norm(P) - T),
        "rms_uncentred": math.sqrt(np.mean(cu**2)),
        "cdnv": np.mean((var[i] + var[j]) / (2 * d2)),
    }


@pytest.mark.parametrize("K,d", [(37, 5), (23, 40)])
@pytest.mark.parametrize("tile", TILES)
def test_tiled_pairwise_quantities_equal_dense(K, d, tile):
    rng = np.random.default_rng(K + d)
    V, W = rng.normal(size=(K, d)), rng.normal(size=(K, d))
    means, var = rng.normal(size=(K, d)) + 0.5, rng.uniform(0.5, 2, size=K)
    ref = _dense(V, W, means, var)
    eq = m.equiangularity(V, tile=tile)
    got = {
        "equiangularity": eq.mean_abs,
        "max_equiangularity": eq.max_abs,
        "cosine_spread": eq.spread,
        "mean_cos": eq.mean_cos,
        "energy": m.hyperspherical_energy(V, tile=tile),
        "etf": m.etf_distance(V, tile=tile),
        "orthogonal": m.orthogonal_frame_distance(means, tile=tile),
        "dot": m.self_duality_dot(W, V, tile=tile),
        "rms_uncentred": m.nonnegative_orthogonality(means, tile=tile),
        "cdnv": m.cdnv(means, var, tile=tile),
    }
    for key, value in ref.items():
        assert got[key] == pytest.approx(value, rel=TILED, abs=0), key
    assert m.hyperspherical_energy(V, s=0, tile=tile) == pytest.approx(
        _dense(V, W, means, var, s=0)["energy"], rel=TILED
    )
    # the report's ETF distance comes from the pair-statistics sweep (scaled cosines), not from V V^T
    fused = m.pair_statistics(V, tile=tile, etf=True).etf_residual
    assert fused == pytest.approx(ref["etf"], rel=TILED, abs=0)
    # and the report's W M^T residual and UNC3 cosines come from one sweep of the cosines cos(w_k, v_l)
    unc3, dot = v.unc3_and_self_duality_dot(W, V, tile=tile)
    assert dot == pytest.approx(ref["dot"], rel=TILED, abs=0)
    Wu, Vu = W / np.linalg.norm(W, axis=1)[:, None], V / np.linalg.norm(V, axis=1)[:, None]
    cross = Wu @ Vu.T
    assert unc3 == pytest.approx(cross[~np.eye(K, dtype=bool)].mean(), rel=TILED, abs=0)


def test_cross_sweep_with_a_zero_classifier_row():
    """A zero row leaves the cosines undefined (named), not W M^T."""
    rng = np.random.default_rng(3)
    W, V = rng.normal(size=(6, 4)), rng.normal(size=(6, 4))
    W[2] = 0.0
    unc3, dot = v.unc3_and_self_duality_dot(W, V, tile=4)
    assert isinstance(unc3, Undefined) and "classifier row" in unc3.reason
    assert dot == pytest.approx(_dense(V, W, V + 1, np.ones(6))["dot"], rel=TILED, abs=0)


def test_close_pairs_keep_their_relative_accuracy():
    """Two nearly equal rows far from the origin: the Gram formula alone would lose ~8 digits; the refined
    distance gives the CDNV and the energy to 1e-12."""
    rng = np.random.default_rng(3)
    means = rng.normal(size=(9, 6)) * 0.1 + 1e4
    means[5] = means[2] + 1e-4 * rng.normal(size=6)
    var = rng.uniform(1, 2, size=9)
    i, j = np.triu_indices(9, k=1)
    d2 = np.sum((means[i] - means[j]) ** 2, axis=1)
    for tile in (1, 4, 9):
        assert m.cdnv(means, var, tile=tile) == pytest.approx(np.mean((var[i] + var[j]) / (2 * d2)), rel=TILED)


@pytest.mark.parametrize("tile", [1, 5, 13, 200])
def test_report_is_the_same_for_every_tile(tile):
    rng = np.random.default_rng(11)
    K, d = 13, 6  # K > d: ranks deficient, the QR path of NC1
    H, y, W, b = noisy(K, d, rng.integers(2, 9, size=K), rng)
    stats = ClassStatistics.from_arrays(H, y)
    ref = report_from_statistics(stats, W, b, tile=K)
    got = report_from_statistics(stats, W, b, tile=tile)
    for key, value in ref.items():
        if isinstance(value, float):
            assert got[key] == pytest.approx(value, rel=TILED, abs=1e-300), key
        else:
            assert type(got[key]) is type(value), key


@pytest.mark.parametrize("bad", [0, -3, 2.5, True, "64"])
def test_bad_tile_is_one_line(bad):
    rng = np.random.default_rng(0)
    H, y, W, b = noisy(3, 4, 5, rng)
    with pytest.raises(InputError, match="tile"):
        collapse_report(H, y, W, b, tile=bad)


def test_report_memory_does_not_grow_like_K_squared():
    """K = 2000 classes in d = 8: a K x K float64 array is 31 MiB; the tiled report (tile 128) stays within a
    few K x d arrays plus tiles (budget 12 MiB = 60 K d + 16 tile^2 float64 numbers)."""
    rng = np.random.default_rng(5)
    K, d, tile = 2000, 8, 128
    H, y, W, b = noisy(K, d, 2, rng)
    stats = ClassStatistics.from_arrays(H, y)
    tracemalloc.start()
    report = report_from_statistics(stats, W, b, tile=tile)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert isinstance(report["etf_distance_means"], float)
    assert peak < (60 * K * d + 16 * tile * tile) * 8, peak / 2**20
