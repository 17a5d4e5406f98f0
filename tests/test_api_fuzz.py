"""Fuzz of the Python API (``verify.claim(id).eval / solve / check``) over values of every type (issue 22).

Each call gets parameters and options drawn from: valid values, numpy scalars and arrays of the right kind
(accepted), and wrong types and values (strings of non-numbers, floats nan/inf, None, dicts, bools, sequences
for scalars, empty names, out-of-range exponents). A call either returns, or raises our
:class:`~verify.base.errors.InputError` naming an argument; any other exception is a defect. The solver and
``check_claim`` are replaced by fakes (the fuzz is about argument handling); eval runs for real.
"""

from __future__ import annotations

import os
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import verify
from verify.base.errors import InputError
from verify.engine import registry
from verify.record import SolveReport

CLAIMS = ("fang2021.thm1", "dang2024.thm1", "tirer2022.thm3_1")
WRONG = (None, "abc", "", float("nan"), float("inf"), {}, [], [1, 2], True, object(), "1e-9999", "1,,2", -1, 0)


def _fake_solver(values, options):
    return SolveReport(True, "fake", {}, {}, {}, options.dps, 0.0, {"starts": 1, "starts_at_best": 1})


def _fake_check(claim, *, examples=4, seed=0, options=None, progress=None, certify=False):
    from verify.engine.checking import ClaimResult, Verdict

    return ClaimResult(claim.id, Verdict.VERIFIED, (), 0.0)


def _value(draw, example: str):
    kind = draw(st.integers(0, 5))
    if kind == 0:
        return example
    if kind == 1:  # numpy scalars and arrays of the right kind: accepted
        items = [int(x) if x.isdigit() else x for x in example.split(",")]
        if all(isinstance(x, int) for x in items):
            arr = np.array(items, dtype=draw(st.sampled_from([np.int32, np.int64, np.uint16])))
            return arr if len(items) > 1 else arr[0]
        return np.float64(float(eval(example.replace("/", "/1.0/").replace("/1.0/", "/"))))  # noqa: S307
    if kind == 2:
        return draw(st.integers(-(10**6), 10**6))
    if kind == 3:
        return draw(st.floats(allow_nan=True, allow_infinity=True))
    return draw(st.sampled_from(WRONG))


@st.composite
def calls(draw):
    claim_id = draw(st.sampled_from(CLAIMS))
    example = dict(registry.get(claim_id).examples[0].params)
    params = {k: _value(draw, v) for k, v in example.items() if draw(st.integers(0, 9)) > 0}
    if draw(st.booleans()):
        params[draw(st.sampled_from(["X", "R", "lambda"]))] = 1
    method = draw(st.sampled_from(["eval", "eval", "solve", "check"]))
    if method == "check":  # check takes no parameter point (pinned and drawn points)
        params = {}
    options = {}
    for name, good in {"dps": 20, "quantities": ["value"], "starts": 2, "examples": 0, "seed": 0}.items():
        if name == "quantities" and method != "eval" or name == "examples" and method != "check":
            continue
        if name in ("starts", "seed") and method == "eval":
            continue
        if draw(st.booleans()):
            options[name] = draw(
                st.sampled_from([good, np.int32(20) if name == "dps" else good, 3, "2", 2.5, None, "", [""], -1])
            )
    return claim_id, method, params, options


def test_python_api_raises_only_input_errors_naming_the_argument():
    real_get = registry.get

    def fake_get(claim_id):
        return replace(real_get(claim_id), solver=_fake_solver)

    from verify.engine import checking

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(registry, "get", fake_get)
        mp.setattr(checking, "check_claim", _fake_check)

        @settings(
            max_examples=int(os.environ.get("NC_FUZZ", max(100, settings.default.max_examples))),
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(call=calls())
        def run(call):
            claim_id, method, params, options = call
            handle = verify.claim(claim_id)
            try:
                getattr(handle, method)(**options, **params)
            except InputError as exc:
                assert exc.parameter, (call, str(exc))  # names the argument
                assert "\n" not in str(exc), (call, str(exc))

        run()


def test_numpy_scalars_of_the_right_kind_are_accepted():
    got = verify.claim("dang2024.thm1").eval(
        n=np.array([3, 2], dtype=np.int32), lambda_W=np.float64(0.05), lambda_H=0.05, dps=np.int32(20)
    )
    assert str(got["value"]).startswith("0.3484622624106408173")
    with pytest.raises(InputError) as info:
        verify.claim("dang2024.thm1").eval(n=(3, 2), lambda_W=1, lambda_H=1, quantities=3)
    assert info.value.parameter == "quantities"
    with pytest.raises(InputError) as info:
        verify.claim("dang2024.thm1").check(examples="2")
    assert info.value.parameter == "examples"
