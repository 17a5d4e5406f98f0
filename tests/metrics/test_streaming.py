"""The one-pass accumulator: streamed = in-memory to 1e-12 in any batch order and any merge tree, NC4 by a
second pass, bounded state, torch tensors accepted without the core importing torch."""

import subprocess
import sys

import numpy as np
import pytest

from verify.base.errors import InputError
from verify.geometry.examples import noisy
from verify.metrics import ClassStatistics, CollapseStats, collapse_report
from verify.record import Undefined

#: Streamed against two-pass statistics: Chan et al.'s update adds O(log #batches) roundings of size
#: eps * (||mu||^2 + ||S_W||); on these O(1)-conditioned data the metrics agree to ~1e-14, 1e-12 is the
#: issue's bar.
STREAM = 1e-12


def _batches(H, y, rng, n_batches):
    cuts = np.sort(rng.choice(np.arange(1, H.shape[0]), size=n_batches - 1, replace=False))
    order = rng.permutation(H.shape[0])
    return [(H[i], y[i]) for i in np.split(order, cuts)]


def _tree_merge(accs, rng):
    """Merge accumulators in a random binary tree."""
    accs = list(accs)
    while len(accs) > 1:
        i, j = sorted(rng.choice(len(accs), size=2, replace=False))
        merged = accs[i].merge(accs[j])
        accs = [a for k, a in enumerate(accs) if k not in (i, j)] + [merged]
    return accs[0]


def _close(streamed: dict, batch: dict, tol=STREAM):
    assert streamed.keys() == batch.keys()
    for k, v in batch.items():
        if isinstance(v, Undefined):
            assert isinstance(streamed[k], Undefined), k
        else:
            assert streamed[k] == pytest.approx(v, rel=tol, abs=tol), k


@pytest.fixture
def data():
    rng = np.random.default_rng(7)
    H, y, W, b = noisy(5, 8, [40, 3, 17, 1, 25], rng)
    return H, y, W, b, rng


@pytest.mark.parametrize("n_batches", [2, 7, 30])
def test_streamed_in_random_order_equals_in_memory(data, n_batches):
    H, y, W, b, rng = data
    acc = CollapseStats()
    for Hb, yb in _batches(H, y, rng, n_batches):
        acc.update(Hb, yb)
    second = acc.agreement(W, b)
    for Hb, yb in _batches(H, y, rng, n_batches):
        second.update(Hb, yb)
    _close(acc.report(W, b, agreement=second), collapse_report(H, y, W, b))


@pytest.mark.parametrize("seed", range(3))
def test_any_merge_tree_of_shards_equals_in_memory(data, seed):
    H, y, W, b, _ = data
    rng = np.random.default_rng(seed)
    shards = [CollapseStats().update(Hb, yb) for Hb, yb in _batches(H, y, rng, 9)]
    merged = _tree_merge(shards, rng)
    assert merged.N == H.shape[0]
    _close(merged.report(W, b), {**collapse_report(H, y, W, b), **_sample_keys(merged.report(W, b))})
    # merge leaves its operands alone
    assert sum(s.N for s in shards) == H.shape[0]


def _sample_keys(report):
    return {k: report[k] for k in ("nc4_agreement", "nc4_agreement_nobias", "nc4_agreement_logits", "accuracy")}


def test_shards_that_see_different_classes_merge(data):
    """A worker may never see some class: the label sets are united at merge time."""
    H, y, W, b, _ = data
    a = CollapseStats().update(H[y < 2], y[y < 2])
    c = CollapseStats().update(H[y >= 2], y[y >= 2])
    _close(a.merge(c).report(), c.merge(a).report())
    _close(a.merge(c).report(), {**collapse_report(H, y), **_sample_keys(a.merge(c).report())})


def test_second_pass_agreements_merge_and_match_logits(data):
    H, y, W, b, rng = data
    acc = CollapseStats()
    logits = H @ W.T + b
    for i in np.array_split(np.arange(H.shape[0]), 4):
        acc.update(H[i], y[i], logits=logits[i])
    passes = [acc.agreement(W, b).update(H[i], y[i], logits=logits[i]) for i in np.array_split(np.arange(len(y)), 3)]
    merged = passes[0].merge(passes[1]).merge(passes[2])
    r = acc.report(W, b, agreement=merged)
    ref = collapse_report(H, y, W, b, logits=logits)
    for k in ("nc4_agreement", "nc4_agreement_nobias", "nc4_agreement_logits", "accuracy"):
        assert r[k] == ref[k], k
    assert r["nc4_agreement_logits"] == r["nc4_agreement"]  # the logits are W h + b


def test_without_a_second_pass_nc4_is_undefined_with_the_reason(data):
    H, y, W, b, _ = data
    r = CollapseStats().update(H, y).report(W, b)
    assert isinstance(r["nc4_agreement"], Undefined) and "second pass" in r["nc4_agreement"].reason


def test_accumulator_state_is_o_kd_plus_d2_whatever_n():
    rng = np.random.default_rng(0)
    K, d = 3, 4
    acc = CollapseStats()
    for _ in range(50):
        H, y, _, _ = noisy(K, d, 20, rng)
        acc.update(H, y)
    s = acc.stats
    held = s.classes.size + s.counts.size + s.means.size + s.sumsq.size + s.scatter.size
    assert held == K + K + K * d + K + d * d  # nothing grows with the 3000 samples seen
    assert acc.N == 3000


def test_float32_input_gives_the_float64_answer():
    """Statistics accumulate in float64: float32 features give the answer of their exact float64 values."""
    rng = np.random.default_rng(3)
    H, y, W, b = noisy(6, 16, [50, 20, 5, 9, 30, 2], rng, dtype=np.float32)
    r32 = collapse_report(H, y, W.astype(np.float32), b.astype(np.float32))
    r64 = collapse_report(H.astype(np.float64), y, W.astype(np.float32).astype(np.float64), b.astype(np.float32))
    _close(r32, r64, tol=1e-13)  # same float64 numbers in, same arithmetic: agreement to rounding
    s32 = ClassStatistics.from_arrays(H, y)
    assert s32.means.dtype == np.float64 and s32.eps == np.finfo(np.float32).eps


def test_mismatched_batches_are_named_errors(data):
    H, y, _, _, _ = data
    acc = CollapseStats().update(H, y)
    with pytest.raises(InputError, match="dimension 3 does not match the accumulated dimension 8"):
        acc.update(H[:, :3], y)
    with pytest.raises(InputError, match="labels: 4 labels for 5 feature rows"):
        acc.update(H[:5], y[:4])
    with pytest.raises(InputError, match="no samples accumulated"):
        CollapseStats().report()


def test_torch_tensors_are_accepted_and_give_the_numpy_answer(data):
    torch = pytest.importorskip("torch")
    H, y, W, b, _ = data
    ref = collapse_report(H, y, W, b)
    rt = collapse_report(
        torch.from_numpy(H), torch.from_numpy(y), torch.from_numpy(W).requires_grad_(), torch.from_numpy(b)
    )
    _close(rt, ref, tol=0)
    acc = CollapseStats()
    for i in np.array_split(np.arange(len(y)), 5):
        acc.update(torch.from_numpy(H[i]).float(), torch.from_numpy(y[i]))
    r32 = collapse_report(H.astype(np.float32), y, W, b)
    _close({**acc.report(W, b), **_sample_keys(r32)}, r32)


def test_half_precision_tensors_set_the_cutoff_from_their_own_precision():
    torch = pytest.importorskip("torch")
    H = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    y = torch.tensor([0, 1, 1])
    for dtype, eps in ((torch.bfloat16, 2.0**-7), (torch.float16, 2.0**-10), (torch.float32, 2.0**-23)):
        assert ClassStatistics.from_arrays(H.to(dtype), y).eps == eps
        assert CollapseStats().update(H.to(dtype), y).stats.eps == eps


def test_the_metrics_core_does_not_import_torch():
    code = "import sys, verify.metrics, verify.geometry.collapse; sys.exit('torch' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
