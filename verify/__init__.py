"""nc-verify: the theorems of neural-collapse theory as executable, checked objects.

Each claim of the papers is a :class:`verify.record.Claim` (closed form in sympy, hypotheses, tolerances)
paired with an independent numerical solve; :func:`verify.engine.checking.check_claim` compares the two.

The packages, bottom to top (tests/test_layering.py holds each to importing only what is below it):
``base`` (errors, value types, solve types, precision) < ``record`` (the claim record) < ``geometry``,
``metrics`` < ``models`` < ``solvers`` < ``engine`` (registry, checking) < ``authoring`` (the kit for users'
claims) < ``claims`` (the catalogue) < ``nets`` < ``face`` (CLI, API, reports, figures).

For notebooks::

    import verify
    verify.claim_ids()                                # the catalogue's ids
    thm1 = verify.claim("fang2021.thm1")
    thm1.eval(K=10, E_H=5, E_W=1)                      # closed form, every quantity it can compute
    thm1.solve(K=4, E_H=2, E_W="1/2")                  # independent solve (n, p take their defaults)
    thm1.check(examples=4).verdict                      # verified / failed / inconclusive

The names below are loaded on first use, so ``import verify`` stays cheap.
"""

__version__ = "0.2.0"

__all__ = [
    "Claim",
    "ClaimHandle",
    "Evaluation",
    "InputError",
    "Undefined",
    "Unavailable",
    "Verdict",
    "Withheld",
    "check_claim",
    "claim",
    "claim_ids",
]

_WHERE = {
    "claim": "verify.face.api",  # verify.claim("fang2021.thm1"): a function of the API, not a module
    "claim_ids": "verify.face.api",
    "ClaimHandle": "verify.face.api",
    "Evaluation": "verify.face.api",
    "Claim": "verify.record",
    "Undefined": "verify.base.values",
    "Unavailable": "verify.base.values",
    "Withheld": "verify.record",
    "InputError": "verify.base.errors",
    "Verdict": "verify.engine.checking",
    "check_claim": "verify.engine.checking",
}


def __getattr__(name: str):
    if name in _WHERE:
        import importlib

        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'verify' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
