"""Section 6 of Tirer & Bruna 2022, recomputed: plain gradient descent on the four models, NC metrics against
the iteration (``nc-verify plot tirer2022.thm3_1 | thm3_2 | thm4_1 | thm4_2 --out FILE.png --out FILE.svg``).

The seed lost the experiments' numbers; the settings here (:data:`EXPERIMENTS`) follow its words (standard
normal initialisation, scaled by 0.1 for the two-layer models; step 0.1; metrics every few hundred steps) with
sizes chosen to run in seconds. Any parameter of the claim can be overridden on the command line (``K=5``).
The top-left panel is the objective minus the claim's optimal value (closed form): it goes to 0 at a global
minimiser, and flattens above 0 at a spurious one.

Metrics (the THEOREMS.md ``tirer2022.metrics`` row; computed by the small local functions below, to be switched
to :mod:`verify.metrics` when that module lands): NC1 = tr(Sigma_W Sigma_B^+)/K; NC2 (ETF) = ||G/||G||_F -
J/sqrt(K-1)||_F with G the Gram of the centred class means; NC2 (OF) = ||G0/||G0||_F - I/sqrt(K)||_F with G0 the Gram
of the uncentred means; NC3 = ||W/||W||_F - Hbar^T/||Hbar||_F||_F. A metric of a zero matrix is nan (not plotted).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from verify.base.errors import InputError

#: Per claim: the model parameters, the GD step, iterations, metric spacing and start scale(s).
EXPERIMENTS: Mapping[str, dict] = {
    "tirer2022.thm3_1": {
        "params": {"K": "4", "n": "20", "lambda_W": "0.005", "lambda_H": "0.005", "d": "16"},
        "step": 0.1,
        "iterations": 20000,
        "scale": 1.0,
    },
    "tirer2022.thm3_2": {
        "params": {"K": "4", "n": "20", "lambda_W": "0.005", "lambda_H": "0.005", "d": "16"},
        "step": 0.1,
        "iterations": 20000,
        "scale": 1.0,
    },
    "tirer2022.thm4_1": {
        "params": {
            "K": "4",
            "n": "20",
            "lambda_W1": "0.005",
            "lambda_W2": "0.005",
            "lambda_H1": "0.005",
            "d1": "16",
            "d2": "16",
        },
        "step": 0.1,
        "iterations": 30000,
        "scale": 0.1,
    },
    "tirer2022.thm4_2": {
        "params": {
            "K": "4",
            "n": "20",
            "lambda_W1": "0.005",
            "lambda_W2": "0.005",
            "lambda_H1": "0.005",
            "d1": "16",
            "d2": "16",
        },
        "step": 0.1,
        "iterations": 60000,
        "scale": 0.1,
    },
}


# --- metrics: verify.metrics (docs/metrics.md), features stored d x Kn class by class -----------------------
def _report(H: np.ndarray, K: int, n: int, W: np.ndarray | None = None) -> dict:
    """:func:`verify.metrics.collapse_report` of the features (columns of ``H``) and classifier ``W``; an
    undefined metric (a zero class mean or classifier) is drawn as a gap (nan)."""
    from verify.metrics import collapse_report
    from verify.record import Undefined

    labels = np.repeat(np.arange(K), n)
    report = collapse_report(np.ascontiguousarray(H.T), labels, W=W)
    return {k: float("nan") if isinstance(v, Undefined) else float(v) for k, v in report.items()}


def _means(H: np.ndarray, K: int, n: int) -> np.ndarray:
    return H.reshape(H.shape[0], K, n).mean(axis=2)


# --- gradient descent ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Trace:
    claim_id: str
    params: Mapping[str, Fraction]
    iterations: np.ndarray
    gap: np.ndarray  # objective - predicted optimal value
    metrics: Mapping[str, np.ndarray]  # label -> values at ``iterations``
    optimum: float


def _model(claim_id: str, values: Mapping[str, Fraction]):
    from verify.models.mse_features import MSEFeaturesModel
    from verify.models.two_layer import TwoLayerModel

    K, n = int(values["K"]), int(values["n"])
    if claim_id in ("tirer2022.thm3_1", "tirer2022.thm3_2"):
        bias = "none" if claim_id.endswith("3_1") else "free"
        return MSEFeaturesModel(K, n, int(values["d"]), values["lambda_W"], values["lambda_H"], bias)
    relu = claim_id.endswith("4_2")
    return TwoLayerModel(
        K, n, int(values["d1"]), int(values["d2"]), values["lambda_W1"], values["lambda_W2"], values["lambda_H1"], relu
    )


def _measure(model, x: np.ndarray) -> dict[str, float]:
    """NC1 (tr(Sigma_W Sigma_B^+)/K), NC2 (distance of the normalised Gram of the class means to the simplex
    ETF, or of the uncentred means to the orthogonal frame) and NC3 (uncentred self-duality
    ||W/||W||_F - Hbar^T/||Hbar||_F||_F), as in Tirer & Bruna 2022 Section 6, through verify.metrics."""
    K, n = model.K, model.n
    if hasattr(model, "bias"):
        W, H, _ = model.unpack(x)
        r = _report(H, K, n, W)
        return {
            "NC1 (H)": r["nc1"],
            "NC2 ETF (H)": r["etf_distance_means"],
            "NC2 OF (H)": r["orthogonal_frame_distance"],
            "NC3 (W, H)": r["self_duality_uncentred"],
        }
    W2, W1, H1 = model.unpack(x)
    Z, H2 = model.second_features(x)
    r2, r1 = _report(H2, K, n, W2), _report(H1, K, n, W2 @ W1)
    out = {
        "NC1 (H2)": r2["nc1"],
        "NC1 (H1)": r1["nc1"],
        "NC2 OF (H2)": r2["orthogonal_frame_distance"],
        "NC2 OF (H1)": r1["orthogonal_frame_distance"],
        "NC3 (W2, H2)": r2["self_duality_uncentred"],
        "NC3 (W2 W1, H1)": r1["self_duality_uncentred"],
    }
    if model.relu:
        out["NC1 (W1 H1, pre-ReLU)"] = _report(Z, K, n)["nc1"]
    return out


def gradient_descent_trace(claim_id: str, values: Mapping[str, Fraction], seed: int = 0, points: int = 60) -> Trace:
    """Plain gradient descent (fixed step) from the experiment's initialisation, metrics at ``points`` iterations."""
    from verify.engine import registry
    from verify.solvers.threads import single_threaded_blas

    exp = EXPERIMENTS[claim_id]
    model = _model(claim_id, values)
    claim = registry.get(claim_id)
    optimum = float(claim.evaluate(values, 20, ["value"])["value"])
    rng = np.random.default_rng(seed)
    x = exp["scale"] * rng.standard_normal(model.dim)
    total, step = exp["iterations"], exp["step"]
    marks = set(np.unique(np.geomspace(1, total, points).astype(int)).tolist()) | {0}
    its, gaps, rows = [], [], []
    with single_threaded_blas():
        for it in range(total + 1):
            if it in marks:
                its.append(it)
                gaps.append(float(model.objective(x)) - optimum)
                rows.append(_measure(model, x))
            if it < total:
                x = x - step * model.gradient(x)
    metrics = {k: np.array([r[k] for r in rows]) for k in rows[0]}
    return Trace(claim_id, dict(values), np.array(its), np.array(gaps), metrics, optimum)


def draw(trace: Trace, outputs: Sequence[str]) -> None:
    from verify.face.figures.output import _pyplot, save

    plt = _pyplot()
    plt.rcParams["svg.hashsalt"] = "nc-verify"
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    it = np.maximum(trace.iterations, 1)
    gap = np.abs(trace.gap)
    axes[0].loglog(it, np.where(gap > 0, gap, np.nan), color="black")
    axes[0].set_title(f"|objective - optimal value| (optimum {trace.optimum:.6g}, closed form)", fontsize=9)
    for label, values in trace.metrics.items():
        axes[1].loglog(it, np.where(values > 0, values, np.nan), label=label)
    axes[1].set_title("NC metrics (verify.metrics)", fontsize=9)
    axes[1].legend(fontsize=7, loc="lower left")
    for ax in axes:
        ax.set_xlabel("gradient-descent iteration")
        ax.grid(True, which="both", alpha=0.25)
    shown = " ".join(f"{k}={v}" for k, v in trace.params.items())
    fig.suptitle(
        f"{trace.claim_id}: plain gradient descent, step {EXPERIMENTS[trace.claim_id]['step']}  ({shown})", fontsize=10
    )
    save(fig, outputs)
    plt.close(fig)


#: Most variables of a plotted descent: the experiments run 20000-60000 fixed steps, so a model of 2e4
#: variables already costs minutes of float64 work.
MAX_PLOT_VARIABLES = 20000


def _refuse_sweep_options(args) -> None:
    """--figure3, --r-min and --r-max belong to fang2021.thm5's sweep over R: refused here, not ignored."""
    if getattr(args, "figure3", False):
        raise InputError(
            "--figure3 is fang2021.thm5's figure", parameter="--figure3", fix="drop --figure3 for tirer2022"
        )
    for flag, attr, default in (("--r-min", "r_min", 1.0), ("--r-max", "r_max", 1e4)):
        if getattr(args, attr, default) != default:
            raise InputError(
                f"{flag} sweeps R in fang2021.thm5's plot; a tirer2022 plot is a descent trace",
                parameter=flag,
                fix=f"drop {flag} (--points sets the number of trace points)",
            )


def _refuse_unstable_or_large(claim_id: str, values) -> None:
    """Fixed-step descent diverges once step x weight decay > 2 (the regulariser's curvature alone), and a
    model of more than MAX_PLOT_VARIABLES variables would run for minutes: both refused before the descent."""
    exp = EXPERIMENTS[claim_id]
    for name, lam in values.items():
        if name.startswith("lambda") and exp["step"] * lam > 2:
            raise InputError(
                f"{name} = {float(lam):.3g}: the experiment's fixed step {exp['step']} diverges (step x {name} > 2)",
                parameter=name,
                fix=f"give {name} <= {2 / exp['step']:g}",
            )
    K, n = int(values["K"]), int(values["n"])
    if "d" in values:  # W (K x d), H (d x K n), a bias of K: counted before any array is built
        dim = int(values["d"]) * K * (n + 1) + K
    else:  # W2 (K x d2), W1 (d2 x d1), H1 (d1 x K n)
        d1, d2 = int(values["d1"]), int(values["d2"])
        dim = K * d2 + d2 * d1 + d1 * K * n
    if dim > MAX_PLOT_VARIABLES:
        raise InputError(
            f"the plotted model has {dim} variables (K, n and the widths), above {MAX_PLOT_VARIABLES}",
            parameter="K",
            fix=f"choose K, n and d so that the model has at most {MAX_PLOT_VARIABLES} variables (the descent runs "
            f"{exp['iterations']} steps)",
        )


def figure(claim, assignments, args):
    """``nc-verify plot tirer2022.<claim> [name=value ...] --out FILE`` (dispatched by verify.face.figures)."""
    from verify.face.figures import Figure
    from verify.face.figures.output import check_outputs
    from verify.face.schema import SCHEMA_VERSION

    if claim.id not in EXPERIMENTS:
        raise InputError(f"no plot for {claim.id}", parameter="ID", fix=f"plot supports {', '.join(EXPERIMENTS)}")
    _refuse_sweep_options(args)
    params = claim.parse({**EXPERIMENTS[claim.id]["params"], **assignments})
    _refuse_unstable_or_large(claim.id, params)
    check_outputs(args.out)
    trace = gradient_descent_trace(claim.id, params, points=getattr(args, "points", 60))
    draw(trace, args.out)
    last = {k: f"{v[-1]:.2e}" for k, v in trace.metrics.items()}
    text = f"wrote {', '.join(args.out)}: final |objective - optimum| {abs(trace.gap[-1]):.2e}; " + ", ".join(
        f"{k} {v}" for k, v in last.items()
    )
    data = {
        "schema": SCHEMA_VERSION,
        "claim": claim.id,
        "files": list(args.out),
        "trace": {
            "iterations": [int(i) for i in trace.iterations],
            "gap": [float(g) for g in trace.gap],
            "metrics": {k: [float(x) for x in v] for k, v in trace.metrics.items()},
        },
    }
    return Figure(data=data, text=text, complete=True)
