"""fang2021 prop1: the independent computation (never sees the closed forms) and the Hypothesis strategy (the record is verify.claims.fang2021.prop1)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from verify.authoring import strategies as st
from verify.authoring.strategies import log_decimals
from verify.geometry import cosine
from verify.geometry.collapse import class_means
from verify.models import LayerPeeledModel
from verify.models.arith import FLOAT, Arithmetic
from verify.models.hessians import logit_objective_hessian
from verify.record import (
    SolveOptions,
    SolveReport,
)
from verify.solvers.pipeline import solve_constrained


# --- the independent solve of (18) -------------------------------------------------------------------------
@dataclass(frozen=True)
class OversampledModel(LayerPeeledModel):
    """Program (18): (7) with the minority loss terms weighted by w_r and the mean taken over N' = n_A K_A +
    w_r n_B K_B. The constraints are those of (7) for the real sample counts (n_A, n_B): unchanged."""

    K_A: int = 1
    w_r: Fraction = Fraction(1)

    def _loss_weights(self, ar: Arithmetic) -> np.ndarray:
        w = ar.scalar(self.w_r)
        n_prime = sum(self.class_sizes[: self.K_A]) + w * sum(self.class_sizes[self.K_A :])
        per_class = [1 / n_prime] * self.K_A + [w / n_prime] * (self.K - self.K_A)
        return np.array(
            np.repeat(np.array(per_class, dtype=object), self.class_sizes), dtype=object if ar is not FLOAT else float
        )

    def objective(self, x: np.ndarray, ar: Arithmetic = FLOAT):
        W, H = self.unpack(x)
        return (self.loss.values(H @ W.T, self.labels, ar) * self._loss_weights(ar)).sum()

    def gradient(self, x: np.ndarray, ar: Arithmetic = FLOAT) -> np.ndarray:
        W, H = self.unpack(x)
        G = self.loss.grad(H @ W.T, self.labels, ar) * self._loss_weights(ar)[:, None]
        return self.pack(G.T @ H, G @ W)

    def hessian(self, x: np.ndarray, ar: Arithmetic = FLOAT) -> np.ndarray | None:
        """The weighted objective's Hessian (verify/models/hessians.py with per-row weights on G and J)."""
        logit_hessian = getattr(self.loss, "hessian", None)
        if logit_hessian is None:
            return None
        W, H = self.unpack(x)
        Z, wts = H @ W.T, self._loss_weights(ar)
        G = self.loss.grad(Z, self.labels, ar) * wts[:, None]
        return logit_objective_hessian(W, H, G, logit_hessian(Z, self.labels, ar) * wts[:, None, None], 1)


def model(values: Mapping[str, Fraction]) -> OversampledModel:
    ka, kb = int(values["K_A"]), int(values["K_B"])
    sizes = (int(values["n_A"]),) * ka + (int(values["n_B"]),) * kb
    return OversampledModel(sizes, int(values["p"]), values["E_H"], values["E_W"], K_A=ka, w_r=values["w_r"])


def measure(lpm: OversampledModel, x: np.ndarray, ar: Arithmetic, zero_digits: int) -> dict[str, tuple]:
    W, H = lpm.unpack(x)
    means = class_means(H, lpm.labels, lpm.K)
    zero = float(lpm.E_W) ** 0.5 * 10.0 ** (-zero_digits)
    ka, K = lpm.K_A, lpm.K

    def cos(k, j):
        return cosine(W[k], W[j], zero_tol=zero, names=(f"w_{k + 1}", f"w_{j + 1}"))

    return {
        "value": (lpm.objective(x, ar),),
        "mean_feature_budget": ((means * means).sum() / K,),
        "classifier_budget": ((W * W).sum() / K,),
        "cos_classifiers_AB": tuple(cos(k, j) for k in range(ka) for j in range(ka, K)),
        "cos_classifiers_BB": tuple(cos(k, j) for k in range(ka, K) for j in range(k + 1, K)),
    }


def solve(values: Mapping[str, Fraction], options: SolveOptions) -> SolveReport:
    """Minimise (18) directly (individual samples, minority terms weighted by w_r); never uses (15)."""
    lpm = model(values)

    def measured(x, ar):
        return measure(lpm, x, ar, zero_digits=8 if ar.name == "float64" else options.dps // 2)

    return solve_constrained(lpm, options, measured)


# --- Hypothesis strategy -------------------------------------------------------------------------------------
@st.composite
def parameters(draw) -> dict[str, Fraction]:
    """K_A in {1, 2}, K_B = 2, n_A <= 4, n_B = 1, w_r in [0.1, 10) (two digits), p = 2K: <= 100 unknowns."""
    ka = draw(st.integers(1, 2))
    return {
        "K_A": Fraction(ka),
        "K_B": Fraction(2),
        "n_A": Fraction(draw(st.integers(1, 4))),
        "n_B": Fraction(1),
        "w_r": draw(log_decimals(-1, 1)),
        "p": Fraction(2 * (ka + 2)),
        "E_H": draw(log_decimals(-1, 1)),
        "E_W": draw(log_decimals(-1, 1)),
    }
