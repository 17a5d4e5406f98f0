"""The running statistics (sorted class slices, fused conversion and centring, in-place dsyrk) against a
direct dense computation, for few classes (looped slices) and many (vectorised), float32 and float64 input."""

import numpy as np
import pytest

from verify.base.errors import InputError
from verify.metrics import ClassStatistics
from verify.metrics.accumulate import LOOP_CLASSES, RunningStatistics

#: Sums of the same float64 terms in another order: ~1e-15 relative on these O(1) data.
DIRECT = 1e-12


@pytest.mark.parametrize("K", [3, LOOP_CLASSES + 17])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_running_statistics_equal_direct_sums(K, dtype):
    rng = np.random.default_rng(K)
    d = 6
    y = rng.integers(0, K, size=700) * 3 + 1  # labels 1, 4, 7, ...: values, not positions
    H = (rng.normal(size=(700, d)) + y[:, None] * 0.1).astype(dtype)
    running = RunningStatistics()
    for idx in np.array_split(rng.permutation(700), 4):
        running.update(H[idx], y[idx])
    got = ClassStatistics(**running.fields())
    X = H.astype(np.float64)
    classes = np.unique(y)
    means = np.array([X[y == c].mean(axis=0) for c in classes])
    C = X - means[np.searchsorted(classes, y)]
    assert np.array_equal(got.classes, classes)
    assert np.array_equal(got.counts, [np.sum(y == c) for c in classes])
    np.testing.assert_allclose(got.means, means, rtol=DIRECT, atol=DIRECT)
    np.testing.assert_allclose(got.scatter, C.T @ C, rtol=DIRECT, atol=DIRECT * np.abs(C.T @ C).max())
    np.testing.assert_allclose(got.sumsq, [np.sum(C[y == c] ** 2) for c in classes], rtol=DIRECT)
    assert got.eps == np.finfo(dtype).eps and got.min_entry == H.min()
    same = ClassStatistics.from_arrays(H, y, chunk=97)
    np.testing.assert_allclose(same.scatter, got.scatter, rtol=DIRECT, atol=DIRECT * np.abs(C.T @ C).max())


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_features_are_refused_by_name(bad):
    H = np.ones((5, 3))
    H[2, 1] = bad
    with pytest.raises(InputError, match="NaN or inf"):
        RunningStatistics().update(H, [0, 1, 0, 1, 0])
