"""fang2021 thm4: the independent computation (never sees the closed forms) and the Hypothesis strategy (the record is verify.claims.fang2021.thm4)."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from fractions import Fraction

import mpmath
import numpy as np

from verify.authoring import strategies as st
from verify.authoring.strategies import log_decimals
from verify.claims.fang2021._thm4_forms import GEOMETRY, _slug, x_star_findroot
from verify.geometry import cosine, norm, pairwise_cosines
from verify.geometry.collapse import class_means
from verify.models import LayerPeeledModel
from verify.models.arith import Arithmetic
from verify.models.softmax_losses import SoftmaxLossFamily
from verify.record import (
    SolveOptions,
    SolveReport,
)
from verify.solvers.pipeline import solve_constrained


# --- the independent solve ---------------------------------------------------------------------------------
def model(values: Mapping[str, Fraction], family: SoftmaxLossFamily) -> LayerPeeledModel:
    K_, n_ = int(values["K"]), int(values["n"])
    return LayerPeeledModel((n_,) * K_, int(values["p"]), values["E_H"], values["E_W"], loss=family.at(values))


def measure(lpm: LayerPeeledModel, x: np.ndarray, ar: Arithmetic, zero_digits: int) -> dict[str, tuple]:
    """Rotation invariants of a point of (7); a vector below 10^-zero_digits of its budget's scale is zero."""
    W, H = lpm.unpack(x)
    labels = lpm.labels
    means = class_means(H, labels, lpm.K)
    tol_h = float(lpm.E_H) ** 0.5 * 10.0 ** (-zero_digits)
    tol_w = float(lpm.E_W) ** 0.5 * 10.0 ** (-zero_digits)
    return {
        "value": (lpm.objective(x, ar),),
        "feature_norm": tuple(norm(h) for h in H),
        "classifier_norm": tuple(norm(w) for w in W),
        "cosine": pairwise_cosines(means, zero_tol=tol_h, label="hbar"),
        "cosine_classifiers": pairwise_cosines(W, zero_tol=tol_w, label="w"),
        "cos_feature_classifier": tuple(
            cosine(H[j], W[labels[j]], zero_tol=min(tol_h, tol_w), names=(f"h_{j + 1}", f"w_{labels[j] + 1}"))
            for j in range(lpm.N)
        ),
    }


def solver_for(families: Sequence[SoftmaxLossFamily], geometry: bool):
    """The solve of a claim over ``families``: one independent solve of (7) per loss, merged; plus the root of
    the printed inequality's boundary by findroot. Converged only if every solve converged."""

    def solve(values: Mapping[str, Fraction], options: SolveOptions) -> SolveReport:
        t0 = time.perf_counter()
        q: dict[str, tuple] = {"x_star": (x_star_findroot(int(values["K"]), options.dps),)}
        fq: dict[str, tuple] = {}
        residuals, details, messages, converged = {}, {}, [], True
        for fam in families:
            lpm = model(values, fam)
            rep = solve_constrained(
                lpm,
                options,
                lambda x, ar, lpm=lpm: measure(lpm, x, ar, zero_digits=8 if ar.name == "float64" else options.dps // 2),
            )
            slug = _slug(fam.name)
            converged = converged and rep.converged
            messages.append(f"{fam.name}: {rep.message}")
            residuals |= {f"{slug}.{k}": v for k, v in rep.residuals.items()}
            details[slug] = dict(rep.details)
            for target, measured in ((q, rep.quantities), (fq, rep.float_quantities)):
                target[f"value_{slug}"] = measured.get("value", ())
                if geometry:
                    for name, _, _ in GEOMETRY:
                        target[name] = target.get(name, ()) + tuple(measured.get(name, ()))
        return SolveReport(
            converged=converged,
            message="; ".join(messages),
            quantities=q,
            float_quantities=fq,
            residuals=residuals,
            dps=options.dps,
            seconds=time.perf_counter() - t0,
            details=details,
        )

    return solve


# --- strategy --------------------------------------------------------------------------------------------------
def _above(target: Fraction) -> Fraction:
    """The smallest decimal with two significant digits that is >= target (so a drawn point stays inside)."""
    e = len(str(int(target))) - 2 if target >= 1 else -len(str(int(1 / target))) - 1
    step = Fraction(10) ** e
    return -((-target) // step) * step


@st.composite
def parameters(draw, extra: Mapping | None = None) -> dict[str, Fraction]:
    """Small sizes; E_W over two decades and E_H chosen so that sqrt(E_H E_W) / x_star(K) lies in [1.05, 2]
    (above 2 x_star the power loss's value falls below ~1e-12 and float multistart loses its relative accuracy)."""
    K_ = draw(st.integers(2, 4))
    E_W_ = draw(log_decimals(-1, 1))
    ratio = Fraction(draw(st.integers(105, 200)), 100)
    with mpmath.workdps(30):
        xs = Fraction(str(mpmath.nstr(x_star_findroot(K_, 30), 25)))
    out = {
        "K": Fraction(K_),
        "n": Fraction(draw(st.integers(1, 2))),
        "p": Fraction(draw(st.integers(K_ - 1, K_ + 1))),
        "E_H": _above((xs * ratio) ** 2 / E_W_),
        "E_W": E_W_,
    }
    for name, strategy in (extra or {}).items():  # a strategy, or a sequence of values to sample from
        out[name] = draw(st.sampled_from(strategy) if isinstance(strategy, tuple | list) else strategy)
    return out
