"""The conventions of the neural-collapse metrics, each an explicit, named switch.

Public implementations of NC1-NC4 differ in these choices without saying so (docs/metrics.md maps each one
to these switches). Defaults follow the definitions printed in Papyan, Han & Donoho (2020, PNAS) and
Tirer & Bruna (2022, ICML), which coincide on balanced data:

``global_mean``        "class": mu_G = (1/K) sum_k mu_k (Papyan et al. 2020 code); "sample": mu_G = (1/N) sum_i h_i
                       (Zhu et al. 2021 code). Equal on balanced data.
``between``            weights of Sigma_B = sum_k w_k (mu_k - mu_G)(mu_k - mu_G)^T: "class": w_k = 1/K (Papyan,
                       Tirer & Bruna, Zhu); "sample": w_k = n_k/N, the only choice with
                       Sigma_T = Sigma_W + Sigma_B (with global_mean="sample").
``scale``              "1/K": NC1 = tr(Sigma_W Sigma_B^+)/K (the papers, Zhu et al. code); "none": the trace
                       alone (Papyan et al. 2020 code).
``pinv``               "full": every eigenvalue of Sigma_B above the cutoff is inverted; "rank_K-1": at most the
                       K-1 largest (Papyan et al. code, scipy svds k=K-1), still above the cutoff.
``pinv_rtol``          relative cutoff of the pseudo-inverse: eigenvalues <= pinv_rtol * lambda_max are treated
                       as zero. None (default): max(K, d) * eps of the *input* dtype, the numpy/LAPACK rank rule
                       with the precision the features actually carry (float32: 1.2e-7, not float64's 2.2e-16).
``centred``            NC2 and NC3 on class means centred by mu_G (Papyan) or uncentred (Tirer & Bruna's
                       orthogonal frames, bias-free models).
``centre_classifiers`` subtract the mean classifier row before NC2/NC3 (later Zhu et al. code) or not (Papyan).
``ddof``               0: population std in the coefficient of variation (numpy); 1: sample std (torch.std, the
                       Papyan et al. code).
``cdnv_exponent``      p in CDNV = (Var_k + Var_l) / (2 ||mu_k - mu_l||^(2p)); p = 1 is Galanti et al. (2022).
``energy_s``           s of the Riesz s-energy of GNC2 (Liu et al. 2023); s = 0 is the logarithmic energy.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Literal

from verify.base.errors import InputError

_CHOICES = {
    "global_mean": ("class", "sample"),
    "between": ("class", "sample"),
    "scale": ("1/K", "none"),
    "pinv": ("full", "rank_K-1"),
    "ddof": (0, 1),
}


@dataclass(frozen=True)
class Conventions:
    """One choice per switch (see the module docstring for what each means and where it comes from)."""

    global_mean: Literal["class", "sample"] = "class"
    between: Literal["class", "sample"] = "class"
    scale: Literal["1/K", "none"] = "1/K"
    pinv: Literal["full", "rank_K-1"] = "full"
    pinv_rtol: float | None = None
    centred: bool = True
    centre_classifiers: bool = False
    ddof: int = 0
    cdnv_exponent: float = 1.0
    energy_s: float = 1.0

    def __post_init__(self) -> None:
        for name, allowed in _CHOICES.items():
            value = getattr(self, name)
            if value not in allowed or isinstance(value, bool):
                raise InputError(
                    f"{name} = {value!r} is not a known convention",
                    parameter=name,
                    fix=f"use one of {', '.join(repr(a) for a in allowed)}",
                )
        for name in ("centred", "centre_classifiers"):
            if not isinstance(getattr(self, name), bool):
                raise InputError(f"{name} = {getattr(self, name)!r} is not a bool", parameter=name, fix="True or False")
        if self.pinv_rtol is not None and not (0 < self.pinv_rtol < 1):
            raise InputError(f"pinv_rtol = {self.pinv_rtol} is outside (0, 1)", parameter="pinv_rtol", fix="e.g. 1e-6")
        if not self.cdnv_exponent > 0:
            raise InputError("cdnv_exponent must be positive", parameter="cdnv_exponent", fix="e.g. 1.0")
        if not self.energy_s >= 0:
            raise InputError("energy_s must be >= 0", parameter="energy_s", fix="0 (log energy) or s > 0")

    @classmethod
    def of(cls, conventions: Conventions | None = None, **switches) -> Conventions:
        """``Conventions`` from keyword switches; an unknown name is an InputError naming it."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(switches) - known)
        if unknown:
            raise InputError(
                f"unknown convention {unknown[0]!r}", parameter=unknown[0], fix=f"use one of {', '.join(sorted(known))}"
            )
        base = conventions or cls()
        return cls(**{**{f.name: getattr(base, f.name) for f in fields(cls)}, **switches})


#: The choices of the sources, as switches (docs/metrics.md has the full table).
PAPYAN_2020_CODE = Conventions(global_mean="class", between="class", scale="none", pinv="rank_K-1", ddof=1)
ZHU_2021_CODE = Conventions(global_mean="sample", between="class", scale="1/K", pinv="full")
TIRER_BRUNA_2022 = Conventions(global_mean="class", between="class", scale="1/K", pinv="full")
SAMPLE_WEIGHTED = Conventions(global_mean="sample", between="sample")
