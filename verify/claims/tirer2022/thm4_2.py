"""Tirer & Bruna 2022, Theorem 4.2: two layers with a ReLU between them; the deepest features still collapse
to an orthogonal frame, under the assumption ||relu(W1 H1)||_* = ||W1 H1||_*.

Statement (seed 003, Section 4.2, Theorem 4.2, problem (24); proof in Appendix E; reconstructed in
../shared/THEOREMS.md; derived in proofs/tirer2022.thm4_2.md): with the constants of Theorem 4.1 (beta, u),
if the global minimiser satisfies the nuclear-norm assumption then Hbar2 = relu(W1 Hbar1) collapses to an
orthogonal frame (non-negative: disjoint supports), W2 is aligned with Hbar2^T, the singular values of W2,
Hbar2 and W2 Hbar2 are u sqrt(beta/lambda_W2), u^2 beta/sqrt(n lambda_H1 lambda_W1) and u^3, and the optimal
value is that of the linear model (23). The thresholds are those of Theorem 4.1 (on the non-negative diagonal
sub-model relu(b c) = b c).

The assumption is a property of the minimiser, not of the parameters: the solve measures it at every point it
polishes (``details["nuclear_norm_assumption"]``), and a best point where it fails makes the check
inconclusive (the theorem says nothing there), never failed.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

from verify.claims.tirer2022 import PAPER, SEEDS
from verify.claims.tirer2022._two_layer import HYPOTHESES, PARAMETERS, common_quantities
from verify.claims.tirer2022._two_layer_explore import census
from verify.claims.tirer2022._two_layer_solve import model, solve_two_layer
from verify.claims.tirer2022.thm4_1 import parameters as linear_parameters
from verify.models.two_layer import TwoLayerModel
from verify.record import Claim, Example, Exploration, SolveOptions, SolveReport, Source

QUANTITIES = tuple(common_quantities())
KEEP = tuple(q.name for q in QUANTITIES)


def solve(values: Mapping[str, Fraction], options: SolveOptions) -> SolveReport:
    """Multistart L-BFGS on (24), each value polished on its smooth ReLU piece with the kink conditions checked;
    the nuclear-norm assumption measured at every polished point. Never uses u, beta or the closed forms."""
    return solve_two_layer(values, options, relu=True, keep=KEEP)


def certificate(values: Mapping[str, Fraction], report: SolveReport):
    """The proven enclosure of the minimum at the solve's point through the proof's scalar reduction
    (verify.certify.two_layer, kind two_layer_scalar): hi = the objective at the solve's point (exact), lo = an
    interval branch and bound of min over u >= 0 of g(u) (which never sees u or the closed form); lo <= min rests on
    the reduction of proofs/tirer2022.thm4_1.md and on the theorem's nuclear-norm assumption."""
    from verify.certify.two_layer import certify_two_layer

    return certify_two_layer(model(values, relu=True), report.point, "tirer2022.thm4_2", values, ("value",), report.dps)


def parameters():
    """The bands of tirer2022.thm4_1 (both sides of both ties, and near them), K in 2..4."""
    return linear_parameters()


EXPLORATIONS = (
    Exploration(
        claim_id="tirer2022.thm4_2",
        label="exploration",
        title="Where multistart L-BFGS ends on (24), and the nuclear-norm assumption there",
        question="Theorem 4.2 assumes ||relu(W1 H1)||_* = ||W1 H1||_* at the global minimiser (the paper: 'verified in any numerical experiment'). How often does it hold at the points gradient methods reach, and which spurious minima do they reach?",
        run=lambda: census(relu=True),
    ),
)


CLAIM = Claim(
    id="tirer2022.thm4_2",
    title="Two layers with ReLU: Hbar2 = relu(W1 Hbar1) is a non-negative orthogonal frame aligned with W2",
    statement="For problem (24) with d1, d2 >= K, if the global minimiser has ||relu(W1 H1)||_* = ||W1 H1||_*, then "
    "Hbar2 collapses to an orthogonal frame (disjoint supports), W2 = c Hbar2^T, the singular values of W2, Hbar2 "
    "and W2 Hbar2 are u sqrt(beta/lambda_W2), u^2 beta/sqrt(n lambda_H1 lambda_W1) and u^3 with u and beta of "
    "Theorem 4.1, and the value and thresholds are those of the linear model.",
    source=Source(PAPER, "Section 4.2, Theorem 4.2, problem (24); Appendix E (Eqs. (75)-(79))", SEEDS),
    convention=TwoLayerModel.convention + "; ReLU between the layers (s = max(., 0))",
    parameters=PARAMETERS,
    hypotheses=HYPOTHESES,
    quantities=QUANTITIES,
    solver=solve,
    solver_description="L-BFGS from 3 x options.n_starts standard-normal starts at scales 0.1, 0.5, 1, 2 (best "
    "value reached by >= 2); every value found polished by mixed-precision Newton on the smooth ReLU piece of its "
    "float point (activation pattern fixed), then the piece's kink conditions checked against the true ReLU; "
    "the nuclear-norm assumption measured at every polished point; thresholds from the diagonal sub-model",
    strategy=parameters,
    examples=(
        Example(
            {"K": "3", "n": "2", "lambda_W1": "1/10", "lambda_W2": "1/10", "lambda_H1": "1/20", "d1": "6", "d2": "6"},
            "K beta = 0.3 < 2^(-4/3): the nonzero point is global",
        ),
        Example(
            {"K": "3", "n": "2", "lambda_W1": "1/10", "lambda_W2": "1/10", "lambda_H1": "1/20", "d1": "4", "d2": "4"},
            "d1 = d2 = K+1: dead units and partly active local minima",
        ),
        Example(
            {"K": "2", "n": "1", "lambda_W1": "1/5", "lambda_W2": "1/5", "lambda_H1": "1/5", "d1": "4", "d2": "4"},
            "K beta = 0.4: origin global, nonzero point local",
        ),
        Example(
            {"K": "2", "n": "1", "lambda_W1": "1/4", "lambda_W2": "1/4", "lambda_H1": "1/4", "d1": "4", "d2": "4"},
            "K beta = 0.5: no nonzero stationary point",
        ),
    ),
    explorations=EXPLORATIONS,
    domain=tuple(h.statement for h in HYPOTHESES if not h.statement.startswith("K^2")),
    module=__name__,
    certificate=certificate,
    certificate_note="value certified under the theorem's hypothesis: hi = the objective of (24) at the solve's "
    "point (exact, the ReLU included: unconditional), lo = the interval branch and bound of min g of "
    "tirer2022.thm4_1 (kind two_layer_scalar); lo <= min (24) rests on the reduction and on the assumption "
    "||relu(W1 H1)||_* = ||W1 H1||_* at the global minimiser (relu can raise the nuclear norm, so it is needed; "
    "the solve measures it at its points, nothing proves it at the unknown minimiser); the geometry stays verified",
)
