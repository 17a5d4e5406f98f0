"""Geometry: frames by their properties (norms, cosines, centring, Gram), and the zero-norm guard."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from verify.geometry import cosine, gram, norm, orthogonal_frame, pairwise_cosines, simplex_etf
from verify.record import Undefined


@given(st.integers(2, 12), st.integers(0, 4), st.integers(0, 2**32 - 1))
def test_simplex_etf_properties(K, extra, seed):
    p = K - 1 + extra
    M = simplex_etf(K, p, np.random.default_rng(seed))
    G = gram(M)
    assert M.shape == (K, p)
    assert np.allclose(np.diag(G), 1, atol=1e-12)  # unit rows
    assert np.allclose(G[~np.eye(K, dtype=bool)], -1 / (K - 1), atol=1e-12)  # equiangular, maximal angle
    assert np.allclose(M.sum(axis=0), 0, atol=1e-12)  # centred
    eig = np.linalg.eigvalsh(G)
    assert np.allclose(sorted(eig)[1:], K / (K - 1), atol=1e-10)  # tight frame: K-1 equal eigenvalues


@given(st.integers(1, 10), st.integers(0, 3), st.integers(0, 2**32 - 1))
def test_orthogonal_frame_properties(K, extra, seed):
    F = orthogonal_frame(K, K + extra, np.random.default_rng(seed))
    assert np.allclose(gram(F), np.eye(K), atol=1e-12)


def test_frames_reject_bad_sizes():
    with pytest.raises(ValueError, match="p >= K-1"):
        simplex_etf(4, 2)
    with pytest.raises(ValueError, match="p >= K"):
        orthogonal_frame(4, 3)


def test_cosine_of_zero_vector_is_undefined_by_name():
    c = cosine(np.zeros(3), np.ones(3), zero_tol=1e-12, names=("h_1", "w_1"))
    assert isinstance(c, Undefined) and "h_1" in c.reason
    cs = pairwise_cosines(np.array([[1.0, 0], [0, 0], [0, 1.0]]), zero_tol=1e-12, label="w")
    assert cs[1] == 0 and isinstance(cs[0], Undefined) and "w_2" in cs[0].reason


def test_norm_and_cosine_values():
    assert norm(np.array([3.0, 4.0])) == 5.0
    assert cosine(np.array([1.0, 0]), np.array([1.0, 1.0]), zero_tol=1e-12) == pytest.approx(2**-0.5, rel=1e-15)
