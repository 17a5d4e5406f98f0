"""Checking claims from your own test suite (the nc-verify pytest plugin also offers these as fixtures).

    from hypothesis import given
    from verify.authoring.testing import assert_verified, strategy

    def test_my_claim_verifies():
        assert_verified("smith2025.thm2", examples=4)          # pinned + 4 drawn points, else fails with a table

    @given(strategy("smith2025.thm2"))                         # the claim's own points, inside its hypotheses
    def test_my_property(values): ...

A claim is given by id (found as ``nc-verify`` finds it: catalogue, entry points, ``NC_VERIFY_PATH``) or as a
:class:`verify.record.Claim` object.
"""

from __future__ import annotations

from verify.record import Claim


def _claim(claim_or_id) -> Claim:
    if isinstance(claim_or_id, Claim):
        return claim_or_id
    from verify.engine import registry

    return registry.get(claim_or_id)


def strategy(claim_or_id):
    """The claim's Hypothesis strategy: dicts of exact parameter values that satisfy its hypotheses."""
    return _claim(claim_or_id).strategy()


def bad_points_table(result) -> str:
    """One line per point that is not verified: verdict, parameters, the worst quantity, the solver's message."""
    import mpmath

    from verify.engine.checking import Verdict

    lines = [f"{result.claim_id}: {result.verdict.value} ({len(result.points)} points)"]
    for p in result.points:
        if p.verdict is Verdict.VERIFIED:
            continue
        params = " ".join(f"{k}={_text(v)}" for k, v in p.params.items())
        w = p.worst()
        if w is None:
            worst = "nothing compared"
        else:
            err = "undefined" if w.rel_error is None else mpmath.nstr(w.rel_error, 3)
            label = f"[{w.label}]" if w.label else ""
            worst = (
                f"{w.name}{label}: predicted {_num(w.predicted)}, measured {_num(w.worst_measured)}, "
                f"rel. error {err} > tolerance {mpmath.nstr(w.tolerance, 2)}"
            )
        lines.append(f"  {p.verdict.value:<12} {p.origin:<30} {params}\n      {worst}\n      solver: {p.solve.message}")
    return "\n".join(lines)


def _text(v) -> str:
    return ",".join(str(x) for x in v) if isinstance(v, tuple) else str(v)


def _num(v) -> str:
    import mpmath

    return mpmath.nstr(v, 12) if isinstance(v, mpmath.mpf) else str(v)


def assert_verified(
    claim_or_id, *, examples: int = 4, seed: int = 0, dps: int = 30, starts: int = 8, allow_inconclusive: bool = False
):
    """Check the claim at its pinned examples and ``examples`` drawn points; raise AssertionError with the table of
    bad points unless every point is verified (``allow_inconclusive``: inconclusive points pass, failed never).
    Returns the :class:`verify.engine.checking.ClaimResult`."""
    __tracebackhide__ = True
    from verify.engine.checking import Verdict, check_claim
    from verify.engine.options import validate_solve_options

    claim = _claim(claim_or_id)
    result = check_claim(claim, examples=examples, seed=seed, options=validate_solve_options(dps, starts, seed))
    ok = result.verdict is Verdict.VERIFIED or (allow_inconclusive and result.verdict is Verdict.INCONCLUSIVE)
    if not ok:
        raise AssertionError(bad_points_table(result))
    return result
