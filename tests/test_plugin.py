"""The nc-verify pytest plugin in a user's project (run as the user would: `pytest` in their directory, in a
subprocess): Hypothesis profiles, the nc_check fixture with its table of bad points, the claim's strategy in the
user's own @given test, and derivations in the user's Markdown (ini option) and reST (verify.authoring.docs in a conftest)
files, a failing step reported with the file, the step and the difference."""

import os
import subprocess
import sys
import textwrap

CLAIM = """
import sympy as sp
from verify import authoring as a

K, E_H, E_W = sp.symbols("K E_H E_W")
TOL = a.tolerance(8, "KKT residual 10^-(dps-5); the value is first-order insensitive to the point's error")


def make(claim_id, value):
    return a.claim(
        id=claim_id, title="ETF value", statement="the balanced LPM minimum", source="my notes",
        convention="Fang et al. 2021 Eq. (7)",
        parameters=[a.integer("K", "classes"), a.real("E_H", "feature budget"), a.real("E_W", "classifier budget")],
        hypotheses=[a.hypothesis("K >= 2", lambda v: v["K"] >= 2, "K", "use two classes or more")],
        quantities=[a.quantity("value", "optimal value", value, TOL)],
        solve=a.layer_peeled_solve(budgets={"H": "E_H", "W": "E_W"}, measure=["value"], dimension=lambda v: v["K"]),
        strategy={"K": a.integers(2, 3), "E_H": a.decimals("0.5", "2"), "E_W": a.decimals("0.5", "2")},
        examples=[a.example("K = 2", K=2, E_H=1, E_W=1)],
    )


S = sp.sqrt(E_H * E_W)
CLAIMS = [
    make("notes.good", sp.log(1 + (K - 1) * sp.exp(-K * S / (K - 1)))),
    make("notes.bad", sp.log(1 + (K - 1) * sp.exp(-S))),
]
"""

TESTS = """
from hypothesis import given
from verify.authoring.testing import strategy


def test_good(nc_check):
    nc_check("notes.good", examples=1)


def test_bad(nc_check):
    nc_check("notes.bad", examples=0)


@given(strategy("notes.good"))
def test_points_inside(values):
    assert values["K"] >= 2


def test_profile_is_ours():
    from hypothesis import settings
    assert settings().max_examples == 10 and settings().derandomize
"""

NOTES = """# my derivation

```python
import sympy as sp
from verify.authoring.derive import equal
x = sp.Symbol("x", positive=True)
equal(sp.diff(x * sp.log(x), x), sp.log(x) + 1, "product rule")
```

```python
equal(sp.diff(sp.exp(x**2), x), x * sp.exp(x**2), "chain rule, factor 2 forgotten")
```

```{code-block} python
equal(sp.integrate(sp.exp(-x), (x, 0, sp.oo)), 1, "MyST directive blocks run too")
```
"""

RST = """Notes
=====

.. code-block:: python

    from verify.authoring.derive import holds
    import sympy as sp
    t = sp.Symbol("t", positive=True)
    holds(t + 1 / t >= 2, {t: ("0.1", 10)}, "t + 1/t >= 2")

>>> 1 + 1
2
"""


def test_plugin_in_a_user_project(tmp_path):
    (tmp_path / "claims").mkdir()
    (tmp_path / "claims" / "mine.py").write_text(CLAIM)
    (tmp_path / "test_user.py").write_text(TESTS)
    (tmp_path / "notes.md").write_text(NOTES)
    (tmp_path / "more.rst").write_text(RST)
    (tmp_path / "conftest.py").write_text(
        "from verify.authoring.docs import sybil\npytest_collect_file = sybil(patterns=['*.rst']).pytest()\n"
    )
    (tmp_path / "pyproject.toml").write_text(
        textwrap.dedent(
            """
            [tool.pytest.ini_options]
            nc_verify_docs = ["notes.md"]
            addopts = "-p no:cacheprovider"
            """
        )
    )
    env = {**os.environ, "NC_VERIFY_PATH": str(tmp_path / "claims")}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rf", "--hypothesis-profile=ci", "-p", "no:randomly"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    out = done.stdout
    assert done.returncode == 1, out + done.stderr
    assert "2 failed, 7 passed" in out, out
    # the bad claim: the table of bad points, with the quantity and the parameters
    assert "notes.bad: failed" in out and "value: predicted" in out and "K=2" in out
    # the bad derivation step: the file, the step, the difference
    assert "notes.md" in out and "chain rule, factor 2 forgotten" in out and "difference" in out
