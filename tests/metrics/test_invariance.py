"""Invariances: rotation of feature space, scaling, translation (centred metrics), and relabelling of the
classes, non-contiguous labels included. Each compares two computations on transformed inputs."""

import numpy as np
import pytest
from scipy.stats import ortho_group

from verify.geometry.examples import noisy
from verify.metrics import collapse_report
from verify.record import Undefined

#: Relative agreement of two float64 evaluations of the same metric on transformed inputs: the metrics are
#: ratios of sums of O(100) terms and an SVD of a 4 x 6 factor, condition O(10); 1e-10 is ~5 decades above
#: eps * condition.
REL = 1e-10

#: Metrics that need non-negative features, or uncentred means: excluded where a transform breaks that.
UNCENTRED = ("orthogonal_frame_distance", "self_duality_uncentred", "nonnegative_orthogonality")


def _same(a: dict, b: dict, skip=()):
    assert a.keys() == b.keys()
    for k in a:
        if k in skip:
            continue
        if isinstance(a[k], Undefined):
            assert isinstance(b[k], Undefined), k
        else:
            assert b[k] == pytest.approx(a[k], rel=REL, abs=REL), k


@pytest.fixture
def data():
    rng = np.random.default_rng(42)
    H, y, W, b = noisy(4, 6, [30, 5, 12, 2], rng)
    return H, y, W, b, rng


def test_rotation_of_feature_space(data):
    H, y, W, b, rng = data
    Q = ortho_group.rvs(6, random_state=rng)
    # nonnegative_orthogonality: a rotation creates negative entries (its statement is about ReLU features)
    _same(collapse_report(H, y, W, b), collapse_report(H @ Q, y, W @ Q, b), skip=("nonnegative_orthogonality",))


@pytest.mark.parametrize("c_h,c_w", [(1e-3, 7.0), (1e4, 1e-2)])
def test_scaling_features_and_classifier(data, c_h, c_w):
    H, y, W, b, _ = data
    _same(collapse_report(H, y, W, b), collapse_report(c_h * H, y, c_w * W, c_h * c_w * b))


def test_translation_leaves_the_centred_metrics_unchanged(data):
    H, y, W, b, rng = data
    shift = 10 * rng.normal(size=6)
    # the decisions of W h + b survive the shift only with b - W shift; without a bias they move
    moved = UNCENTRED + ("nc4_agreement_nobias",)
    _same(collapse_report(H, y, W, b), collapse_report(H + shift, y, W, b - W @ shift), skip=moved)


@pytest.mark.parametrize("values", [[0, 1, 2, 3], [3, 10, 42, 7], [-5, 0, 100, 2], ["cat", "dog", "emu", "ant"]])
def test_relabelling_with_non_contiguous_labels_and_a_permuted_classifier(data, values):
    """Labels are class *names*: means are found by value, never by position, and the classifier rows are
    matched to classes by ``classes=``."""
    H, y, W, b, rng = data
    values = np.array(values)
    perm = rng.permutation(4)  # row r of the new W is the classifier of class values[perm[r]]
    W2, b2 = np.empty_like(W), np.empty_like(b)
    W2[:], b2[:] = W[perm], b[perm]
    relabelled = collapse_report(H, values[y], W2, b2, classes=values[perm], minority=list(values[[1, 3]]))
    _same(collapse_report(H, y, W, b, minority=[1, 3]), relabelled)


def test_duplicating_every_sample_changes_nothing(data):
    """A between-class covariance that is really (N/K) Sigma_T would double here; ours does not move."""
    H, y, W, b, _ = data
    _same(collapse_report(H, y, W, b), collapse_report(np.vstack([H, H]), np.concatenate([y, y]), W, b))


def test_zero_padding_the_feature_space_changes_nothing(data):
    """Embedding the features in a larger space (zero coordinates appended) is an isometry: a Sigma_B divided
    by the feature dimension D (one public library) would scale NC1 by the padding; ours does not move."""
    H, y, W, b, _ = data
    pad = lambda A: np.hstack([A, np.zeros((A.shape[0], 10))])
    r, rp = collapse_report(H, y, W, b), collapse_report(pad(H), y, pad(W), b)
    # the cutoff max(K, d) eps grows with d, far below any eigenvalue here; energy_gap needs K <= d+1 only
    _same(r, rp)
