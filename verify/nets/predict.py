"""The catalogue's prediction at a trained network's realised parameters, looked up by claim id.

Every prediction goes through :func:`verify.engine.registry.get` and ``claim.evaluate``: the network tier never
re-derives a formula. A claim that is not registered (yet), or whose hypotheses fail at the realised values,
gives a :class:`Prediction` with ``unavailable`` set to the reason; nothing here raises.

Which values are "realised" (the mapping from a network to a surrogate model is an analogy, not a theorem):

- Fang et al. 2021 (constrained Layer-Peeled Model (7), loss averaged 1/N, budgets averaged per class): E_H and
  E_W are the trained network's own (1/K) sum_k (1/n_k) sum_i ||h_{k,i}||^2 and (1/K) sum_k ||w_k||^2, as the
  paper does for its Figure 2 ("(E_W, E_H) such that the two constraints become active for the weights of the
  trained networks"). The network's features are a feasible point of (7) at those budgets, so its training
  cross-entropy is >= the predicted optimal value: an inequality, not an analogy.
- Tirer & Bruna 2022 and Dang et al. 2024 (penalised unconstrained features models, loss averaged 1/N,
  penalties (lambda_W/2)||W||_F^2 + (lambda_H/2)||H||_F^2 with H summed over all N samples): lambda_W is the
  weight decay applied to the classifier weight (coupled, as torch.optim.SGD applies it), lambda_H the explicit
  feature penalty (lambda_H/2) sum_i ||h_i||^2 of :mod:`verify.nets.train`. Same convention term by term; the
  analogy is that the network's features are not free variables (the feature map has its own weight decay).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from verify.base.errors import InputError
from verify.engine.registry import get
from verify.record import Undefined

#: Working precision of the predictions: far more than a trained network's measurements carry (~3 digits).
DPS = 20


@dataclass(frozen=True)
class Prediction:
    claim_id: str
    parameters: Mapping[str, str]
    values: Mapping[str, object] = field(default_factory=dict)  # float | Undefined | dict[label, ...] | str
    unavailable: str = ""  # why there is no prediction ("" when there is)

    def get(self, name: str):
        """A predicted quantity as float (or dict of floats, or Undefined naming why it is missing)."""
        if self.unavailable:
            return Undefined(f"prediction unavailable: {self.unavailable}")
        if name not in self.values:
            return Undefined(f"{self.claim_id} has no quantity {name!r}")
        return self.values[name]

    def json(self) -> dict:
        from verify.nets.measure import jsonable

        out = {"claim": self.claim_id, "parameters": dict(self.parameters), "values": jsonable(dict(self.values))}
        if self.unavailable:
            out["unavailable"] = self.unavailable
        return out


def _text(value) -> str:
    if isinstance(value, list | tuple):
        return ",".join(_text(v) for v in value)
    if isinstance(value, float):
        return f"{value:.12g}"
    return str(value)


def _value(v):
    """mpf -> float, Undefined kept, a vector value dict -> dict, a Withheld (contract v2) -> its reason."""
    if isinstance(v, Undefined):
        return v
    if isinstance(v, Mapping):
        return {str(k): _value(x) for k, x in v.items()}
    try:
        return float(v)
    except (TypeError, ValueError):
        return Undefined(str(getattr(v, "reason", v)))


def predict(
    claim_id: str, parameters: Mapping[str, object], dps: int = DPS, quantities: tuple[str, ...] | None = None
) -> Prediction:
    """``claim_id`` evaluated at ``parameters`` (only ``quantities``, if given: some references cost seconds);
    unavailable (with the one-line reason) instead of raising."""
    params = {k: _text(v) for k, v in parameters.items()}
    try:
        claim = get(claim_id)
    except (KeyError, InputError):
        return Prediction(claim_id, params, unavailable=f"{claim_id} is not registered in this installation")
    try:
        values = claim.parse(params)
        wanted = None if quantities is None else [q.name for q in claim.quantities if q.name in quantities]
        raw = claim.evaluate(values, dps, quantities=wanted)
    except InputError as exc:
        return Prediction(claim_id, params, unavailable=str(exc))
    return Prediction(claim_id, params, {k: _value(v) for k, v in raw.items()})


def fang_thm1(K: int, n: int, p: int, E_H: float, E_W: float) -> Prediction:
    """Balanced cross-entropy, Theorem 1: simplex ETF, cosines -1/(K-1), ||hbar_k|| = sqrt(E_H), optimal value."""
    return predict("fang2021.thm1", {"K": K, "n": n, "p": p, "E_H": E_H, "E_W": E_W})


def fang_thm5(K_A: int, K_B: int, E_H: float, E_W: float, R: float) -> Prediction:
    """Two-size imbalance, Theorem 5 / Figure 3: the average minority-classifier cosine and R0."""
    wanted = ("cos_minority", "R0", "value", "norm_w_minority", "norm_w_majority")
    return predict("fang2021.thm5", {"K_A": K_A, "K_B": K_B, "E_H": E_H, "E_W": E_W, "R": R}, quantities=wanted)


def fang_prop1(K_A: int, K_B: int, n_A: int, n_B: int, w_r: float, p: int, E_H: float, E_W: float) -> Prediction:
    """Oversampling at rate w_r, Proposition 1: program (15) with n_B -> w_r n_B (needs p >= 2K)."""
    params = {"K_A": K_A, "K_B": K_B, "n_A": n_A, "n_B": n_B, "w_r": w_r, "p": p, "E_H": E_H, "E_W": E_W}
    return predict("fang2021.prop1", params, quantities=("value", "cos_classifiers_AB", "cos_classifiers_BB"))


def tirer_thm3(bias: bool, K: int, n: int, lambda_W: float, lambda_H: float) -> Prediction:
    """Balanced MSE, Theorem 3.1 (no bias: orthogonal frame) or 3.2 (free bias: simplex ETF)."""
    claim_id = "tirer2022.thm3_2" if bias else "tirer2022.thm3_1"
    return predict(claim_id, {"K": K, "n": n, "lambda_W": lambda_W, "lambda_H": lambda_H})


def dang_thm1(sizes: tuple[int, ...], lambda_W: float, lambda_H: float) -> Prediction:
    """ReLU features, cross-entropy, any class sizes, Theorem 1: which classes collapse, norms, cosines."""
    return predict("dang2024.thm1", {"n": list(sizes), "lambda_W": lambda_W, "lambda_H": lambda_H})
