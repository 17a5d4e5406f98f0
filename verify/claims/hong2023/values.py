"""The value and the geometry of the penalised imbalanced cross-entropy UFM with two class sizes: no closed form.

Statement (THEOREMS-NEXT.md, family F, ``imbce.values``; reconstructed, attributed to Hong & Ling 2023): for K_A
classes of n_A = R n_B samples and K_B classes of n_B, the minimum of f(W, H) = (1/N) sum_i CE(W h_i, y_i) +
(lambda_W/2)||W||_F^2 + (lambda_H/2)||H||_F^2 (no bias, d >= K - 1) equals the minimum of the convex program

    F(Zb) = sum_k (n_k/N) CE(Zb[:, k], k) + sqrt(lambda_W lambda_H) ||Zb D^{1/2}||_*

over K x K logit matrices, and the minimiser's Grams are W W^T = sqrt(lambda_H/lambda_W)(Zb D Zb^T)^{1/2} and
hbar Gram = sqrt(lambda_W/lambda_H) D^{-1/2}(D^{1/2} Zb^T Zb D^{1/2})^{1/2} D^{-1/2}, with h_{k,i} = hbar_k.
Neither the value nor the cosines has a closed form: they are *computed* quantities.

Two independent computations are compared: the reference minimises the convex program, reduced by the
within-group symmetry to four scalars (verify/models/two_size_ce.py; the reduction is derived again in
proofs/hong2023.values.md and compared with the full K x K program solved conically in the tests), by an
active-set Newton method at dps + 10 digits, and factors it; the solve minimises the original (W, H) program on
the individual samples from random starts (:func:`verify.authoring.group_ufm_solve`) and measures the invariants of
the refined point. Neither sees the other.
"""

from __future__ import annotations

from verify import authoring as a
from verify.claims.hong2023 import PAPER, SEEDS
from verify.claims.hong2023._program import CONVENTION, HYPOTHESES, PARAMETERS, original_solve, reference
from verify.claims.hong2023.minority_collapse import strategy

# Budgets (issue 18; tests/test_tolerances.py): kkt_stationarity is the refinement's stopping target 10^-(dps-5)
# (measured <= 2.1e-31 at dps 30); kkt_condition measured over the pinned points and 20 + 60 drawn points (seed 0,
# dps 30, |R/R* - 1| >= 5%): at most 15.5; worst geometry error 1.7e-29 (tightened from 10 guard digits).
VALUE_TOL = a.tolerance(
    8,
    "the solve stops at a KKT residual <= 10^-(dps-5) and the value is first-order insensitive to the point's "
    "error; the reference is a Newton minimiser at dps+10 with gradient below 10^-(dps+7); the value is a sum of "
    "O(N K) terms rounded at dps digits: 8 guard digits",
    a.ErrorBudget(5, 1e2, 1, residuals=("kkt_stationarity",)),
)
GEOMETRY_TOL = a.tolerance(
    8,
    "norms and cosines carry the forward error of the refined point, ~ the KKT residual 10^-(dps-5) times the "
    "condition of the Newton matrix on the complement of the rotation orbit (measured at most 15.5 with "
    "|R/R* - 1| >= 5%, where the merge direction's curvature is bounded away from 0); the reference's Grams come "
    "from an SVD at dps+10: 5 + 2 + 1 spare = 8 guard digits",
    a.ErrorBudget(5, 2e1, 1, residuals=("kkt_stationarity",), condition=("kkt_condition",)),
)

#: what every quantity depends on (not d, the solve's dimension)
NEEDS = ("K_A", "K_B", "n_B", "R", "lambda_W", "lambda_H")

_MEASURE = {
    "value": "value",
    "norm_w_majority": "classifier_norm[A]",
    "norm_w_minority": "classifier_norm[B]",
    "norm_h_majority": "feature_norm[A]",
    "norm_h_minority": "feature_norm[B]",
    "cos_w_minority": "cosine_classifiers[B]",
    "cos_w_between": "cosine_classifiers[A,B]",
    "cos_h_minority": "cosine[B]",
}
_TEXT = {
    "value": ("the minimum of the original program", VALUE_TOL),
    "norm_w_majority": ("||w_k||, k majority", GEOMETRY_TOL),
    "norm_w_minority": ("||w_k||, k minority", GEOMETRY_TOL),
    "norm_h_majority": ("||h_{k,i}||, k majority (every sample)", GEOMETRY_TOL),
    "norm_h_minority": ("||h_{k,i}||, k minority (every sample)", GEOMETRY_TOL),
    "cos_w_minority": ("cos(w_k, w_l), k != l minority (1 iff R >= R*)", GEOMETRY_TOL),
    "cos_w_between": ("cos(w_k, w_l), k majority, l minority", GEOMETRY_TOL),
    "cos_h_minority": ("cos(hbar_k, hbar_l), k != l minority (class means)", GEOMETRY_TOL),
}
_DEFINITION = (
    "from the minimiser of the convex program in the logits (four-scalar symmetric reduction, active-set Newton "
    "at dps+10) factored by W W^T = sqrt(lambda_H/lambda_W)(Zb D Zb^T)^(1/2), hbar Gram = sqrt(lambda_W/lambda_H) "
    "D^(-1/2)(D^(1/2) Zb^T Zb D^(1/2))^(1/2) D^(-1/2) (an SVD of Zb D^(1/2)); no closed form"
)


def certificate(values, report):
    """The proven enclosure of the minimum of the original program at the solve's point (checker kind
    penalised_ufm_ce: hi = the objective there, lo = the entropy dual bound through the nuclear norm of W H)."""
    from verify.certify.penalised import certify_penalised
    from verify.claims.hong2023._program import class_sizes
    from verify.models.frobenius_ufm import FrobeniusUFM

    model = FrobeniusUFM(class_sizes(values), int(values["d"]), values["lambda_W"], values["lambda_H"])
    return certify_penalised(model, report.point, "hong2023.values", values, ("value",), report.dps)


CLAIM = a.claim(
    id="hong2023.values",
    title="Penalised imbalanced CE, two class sizes: value, norms and cosines from the convex program in Z",
    statement="The minimum of (1/N) sum CE(W h_i, y_i) + (lambda_W/2)||W||_F^2 + (lambda_H/2)||H||_F^2 (two class "
    "sizes, no bias) equals that of the convex program sum_k (n_k/N) CE(Zb[:, k], k) + sqrt(lambda_W lambda_H) "
    "||Zb D^(1/2)||_*, and the minimiser's norms and cosines are those of its balanced factorisation; features "
    "collapse to their class means. None of these has a closed form: they are computed",
    source=a.Source(
        PAPER,
        "THEOREMS-NEXT.md family F, 'Convex form', 'Symmetric reduction' and claim imbce.values (reconstructed)",
        SEEDS,
    ),
    convention=CONVENTION,
    parameters=PARAMETERS,
    hypotheses=HYPOTHESES,
    quantities=[
        a.quantity(name, text, None, tol, reference=reference(name), definition=_DEFINITION, needs=NEEDS)
        for name, (text, tol) in _TEXT.items()
    ],
    solve=original_solve(_MEASURE),
    certificate=certificate,
    certificate_note="value only: norms and cosines stay verified",
    strategy=strategy,
    examples=[
        a.example(
            "THEOREMS-NEXT.md's worked example: R = 3 < R* = 4",
            K_A=2,
            K_B=2,
            n_B=1,
            R=3,
            lambda_W="1/10",
            lambda_H="1/10",
        ),
        a.example("R = 5 > R* = 4: merged minority", K_A=2, K_B=2, n_B=1, R=5, lambda_W="1/10", lambda_H="1/10"),
        a.example("one majority class, three minority", K_A=1, K_B=3, n_B=1, R=2, lambda_W="1/20", lambda_H="1/10"),
        a.example("n_B = 2, small penalties", K_A=2, K_B=2, n_B=2, R="3/2", lambda_W="1/50", lambda_H="1/30"),
    ],
)
