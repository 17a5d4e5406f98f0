"""Tirer & Bruna 2022, Section 6: the NC metrics (26)-(28) at the minimisers of Theorems 3.1 and 3.2.

The seed lost the formulas of Section 6; the definitions are those of ../shared/THEOREMS.md (``tirer2022.metrics``):
NC1 = tr(Sigma_W Sigma_B^+)/K; NC2 (ETF) = || G/||G||_F - (I - 11^T/K)/sqrt(K-1) ||_F with G the Gram of the
centred class means; NC2 (OF) the same with the uncentred means against I/sqrt(K); NC3 = || W/||W||_F -
Hbar^T/||Hbar||_F ||_F. The paper states that the metrics "converge to zero" at the minimisers it plots
(Section 6, Figures 2-5): this claim states what each metric is at a global minimiser, derived in
proofs/tirer2022.metrics.md from Theorems 3.1 (bias-free: orthogonal frame) and 3.2 (free bias: simplex ETF):

- NC1 = 0, NC2 (ETF) = 0 and NC3 = 0 in both settings;
- NC2 (OF) = 0 without a bias but sqrt(2 - 2 sqrt((K-1)/K)) with a free bias (the ETF is not an orthogonal
  frame: the OF metric separates the two theorems, the ETF metric does not).

Independent solve: problem (5) or (14) on the individual samples (the kit's :func:`verify.authoring.minimise` on
:class:`verify.models.mse_features.MSEFeaturesModel`; multistart, mpmath refinement), the metrics computed at
the refined point by :mod:`verify.metrics.exact` (the float64 :mod:`verify.metrics` agree with it, tests). Each
metric is reported as 1 - metric: a defined, nonzero quantity (the catalogue's mutation meta-test perturbs every
quantity relatively), compared with the same absolute accuracy as the metric itself.
"""

from __future__ import annotations

import sympy as sp

from verify import authoring as a
from verify.claims.tirer2022 import PAPER, SEEDS
from verify.metrics import exact
from verify.models.mse_features import MSEFeaturesModel

K, n, lambda_W, lambda_H, bias = sp.symbols("K n lambda_W lambda_H bias", positive=True)
#: every metric is a statement about the minimiser at (K, n, lambdas, bias): all the hypotheses apply
NEEDS = ("K", "n", "lambda_W", "lambda_H", "bias")
NC2_OF = bias * sp.sqrt(2 - 2 * sp.sqrt((K - 1) / K))  # bias is 0 or 1


def _model(v) -> MSEFeaturesModel:
    mode = "none" if v["bias"] == 0 else "free"
    return MSEFeaturesModel(int(v["K"]), int(v["n"]), int(v["d"]), v["lambda_W"], v["lambda_H"], mode)


def _measure(m: MSEFeaturesModel, x, ar) -> dict:
    import numpy as np

    W, H, _ = m.unpack(x)
    labels = np.repeat(np.arange(m.K), m.n)
    M, Sw, Sb = exact.covariances(np.asarray(H).T, labels, m.K)
    metrics = {
        "nc1": exact.nc1(Sw, Sb, m.K),
        "nc2_etf": exact.nc2_etf(M),
        "nc2_of": exact.nc2_of(M),
        "nc3": exact.nc3(W, M),
    }
    # each metric is reported as 1 - metric (a defined, nonzero quantity where the metric vanishes)
    return {f"one_minus_{k}": (v if isinstance(v, exact.Undefined) else 1 - v,) for k, v in metrics.items()}


METRIC_TOL = a.tolerance(
    8,
    "the metrics are Lipschitz in the refined point (NC2, NC3) or quadratic in its within-class spread (NC1), "
    "whose forward error is the KKT residual 10^-(dps-5) times a Hessian condition <= 1e3 away from kappa = 1: "
    "absolute 10^-(dps-8) for the zeros, relative for NC2 (OF) with a bias",
    # kkt_condition measured over the pinned and 20 + 60 drawn points (seed 0, dps 30): at most 1.75e3 (free bias,
    # K = 4), above the 1e3 the reason assumed: the budget justifies 5 + 4 = 9 guard digits, one more than the
    # tolerance's 8, which is kept (never loosened); worst error measured 6.3e-31 against 1e-22
    a.ErrorBudget(5, 2e3, 0, residuals=("kkt_stationarity",), condition=("kkt_condition",)),
)

CLAIM = a.claim(
    id="tirer2022.metrics",
    title="The NC metrics (26)-(28) at the minimisers: all zero, except NC2 (OF) with a free bias",
    statement="At a global minimiser of (5) (bias-free) or (14) (free bias) with kappa = K sqrt(n lambda_H "
    "lambda_W) < 1: NC1 = tr(Sigma_W Sigma_B^+)/K = 0, NC2 (ETF) = 0, NC3 = 0; NC2 (OF) = 0 without a bias and "
    "sqrt(2 - 2 sqrt((K-1)/K)) with a free bias",
    source=a.Source(PAPER, "Section 6, Eqs. (26)-(28) (formulas reconstructed: THEOREMS.md); Theorems 3.1, 3.2", SEEDS),
    convention=MSEFeaturesModel.convention,
    parameters=[
        a.integer("K", "number of classes"),
        a.integer("n", "samples per class"),
        a.real("lambda_W", "weight decay of W"),
        a.real("lambda_H", "weight decay of H"),
        a.integer("bias", "0: bias-free problem (5); 1: free (unpenalised) bias, problem (14)"),
        a.integer(
            "d", "feature dimension (d >= K; no quantity depends on it)", default=lambda v: v["K"], default_text="K"
        ),
    ],
    hypotheses=[
        a.hypothesis("K >= 2", lambda v: v["K"] >= 2, "K", "use at least two classes"),
        a.hypothesis("n >= 1", lambda v: v["n"] >= 1, "n", "give at least one sample per class"),
        a.hypothesis("lambda_W > 0", lambda v: v["lambda_W"] > 0, "lambda_W", "give a positive weight decay"),
        a.hypothesis("lambda_H > 0", lambda v: v["lambda_H"] > 0, "lambda_H", "give a positive weight decay"),
        a.hypothesis("bias is 0 or 1", lambda v: v["bias"] in (0, 1), "bias", "0: no bias, 1: free bias"),
        a.hypothesis(
            "kappa < 1",
            lambda v: v["K"] ** 2 * v["n"] * v["lambda_H"] * v["lambda_W"] < 1,
            "lambda_W",
            "beyond kappa = 1 the minimiser is 0 and the metrics are undefined: lower lambda_W lambda_H",
            uses=("K", "n", "lambda_W", "lambda_H"),
        ),
        a.hypothesis("d >= K", lambda v: v["d"] >= v["K"], "d", "raise d to K", uses=("d", "K")),
    ],
    quantities=[
        a.quantity(
            "one_minus_nc1", "1 - NC1, NC1 = tr(Sigma_W Sigma_B^+)/K, Eq. (26)", sp.Integer(1), METRIC_TOL, needs=NEEDS
        ),
        a.quantity(
            "one_minus_nc2_etf",
            "1 - NC2 against the simplex ETF, centred means, Eq. (27)",
            sp.Integer(1),
            METRIC_TOL,
            needs=NEEDS,
        ),
        a.quantity(
            "one_minus_nc2_of",
            "1 - NC2 against the orthogonal frame, uncentred means, Eq. (27)",
            1 - NC2_OF,
            METRIC_TOL,
            needs=NEEDS,
        ),
        a.quantity(
            "one_minus_nc3",
            "1 - NC3, NC3 = ||W/||W||_F - Hbar^T/||Hbar||_F||_F, Eq. (28)",
            sp.Integer(1),
            METRIC_TOL,
            needs=NEEDS,
        ),
    ],
    solve=a.minimise(
        _model,
        _measure,
        "problem (5) (bias = 0) or (14) (bias = 1) on the individual samples: multistart from seeded random "
        "starts, mixed-precision Newton refinement in mpmath; metrics (26)-(28) in mpmath at the refined point",
        measures=("one_minus_nc1", "one_minus_nc2_etf", "one_minus_nc2_of", "one_minus_nc3"),
    ),
    strategy={
        "K": a.integers(2, 4),
        "n": a.integers(1, 3),
        "lambda_W": a.decimals("0.001", "0.05"),
        "lambda_H": a.decimals("0.001", "0.05"),
        "bias": a.choice(0, 1),
    },
    examples=[
        a.example("bias-free, K = 3 (Figure 2 setting, smaller)", K=3, n=2, lambda_W="1/200", lambda_H="1/100", bias=0),
        a.example(
            "free bias, K = 3: NC2 (OF) = sqrt(2 - 2 sqrt(2/3))", K=3, n=2, lambda_W="1/200", lambda_H="1/100", bias=1
        ),
        a.example("free bias, K = 2", K=2, n=3, lambda_W="1/50", lambda_H="1/50", bias=1),
    ],
)
