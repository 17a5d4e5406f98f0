"""Shared fixtures of the network tier (``-m nets``): each shipped CPU configuration is trained once per
session, on the CPU (where the tests' thresholds were measured), and its result is shared by its tests."""

import pytest

_CACHE: dict[str, dict] = {}


@pytest.fixture(scope="session")
def cpu_result():
    """``cpu_result(name)``: the result of ``verify/nets/configs/cpu/<name>.toml`` trained on the CPU."""
    pytest.importorskip("torch", reason="the network tier needs the nets extra")
    from verify.nets.config import load_config
    from verify.nets.experiments import run_experiment

    def get(name: str) -> dict:
        if name not in _CACHE:
            _CACHE[name] = run_experiment(load_config(f"cpu/{name}"), device="cpu")
        return _CACHE[name]

    return get


@pytest.fixture(scope="session")
def row():
    """``row(run, claim_quantity, prefix="")``: the comparison row of a run for one claim quantity."""

    def get(run: dict, claim_quantity: str, prefix: str = "") -> dict:
        rows = [
            r for r in run["comparison"] if r["claim_quantity"] == claim_quantity and r["quantity"].startswith(prefix)
        ]
        assert rows, (claim_quantity, [r["quantity"] for r in run["comparison"]])
        return rows[0]

    return get
