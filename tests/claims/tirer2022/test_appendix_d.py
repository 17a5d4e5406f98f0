"""tirer2022.appendix_d: the range relations at solved minimisers of (23), the corrected (74), the erratum."""

import numpy as np

from verify.base.solving import SolveOptions
from verify.claims.tirer2022 import appendix_d
from verify.engine.checking import Verdict, check_claim
from verify.metrics.measures import nc1

CLAIM = appendix_d.CLAIM


def test_pinned_examples_and_drawn_points_verify():
    result = check_claim(CLAIM, examples=2, seed=7)
    assert result.verdict is Verdict.VERIFIED, [(p.params, p.solve.message) for p in result.points]


def test_the_erratum_of_74_is_confirmed():
    (erratum,) = CLAIM.errata
    assert erratum.evidence().holds


def test_balance_holds_at_the_solved_minimiser():
    """Step 1 of the proof: lambda_W1 W1^T W1 = lambda_H1 H1 H1^T at the refined point (10 guard digits)."""
    values = CLAIM.parse(CLAIM.examples[1].params)
    report = CLAIM.solver(values, SolveOptions(dps=30))
    assert report.converged
    assert abs(1 - float(report.quantities["balance"][0])) < 1e-20


def test_an_injective_but_not_isometric_W1_changes_NC1_on_random_draws():
    rng = np.random.default_rng(11)
    labels = np.repeat(np.arange(3), 3)

    def stats(F):
        M = np.array([F[:, labels == k].mean(axis=1) for k in range(3)])
        C = F - M[labels].T
        B = M - M.mean(axis=0)
        return C @ C.T / F.shape[1], B.T @ B / 3

    changed = 0
    for _ in range(10):
        H, W = rng.standard_normal((4, 9)), rng.standard_normal((6, 4))
        changed += abs(nc1(*stats(W @ H), K=3) / nc1(*stats(H), K=3) - 1) > 1e-3
    assert changed == 10
