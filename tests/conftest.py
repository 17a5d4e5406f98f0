"""Hypothesis profiles: ``dev`` (default, quick), ``ci`` (derandomised, the README's test command),
``fuzz`` (large budgets for campaigns: ``pytest -m slow --hypothesis-profile=fuzz``)."""

import os

from hypothesis import HealthCheck, settings

settings.register_profile("dev", max_examples=10, deadline=None)
settings.register_profile(
    "ci",
    max_examples=10,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("fuzz", max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


def pytest_collection_modifyitems(config, items):
    """The ``slow`` tier (high precision, large budgets) runs only when asked for: ``-m slow`` (or any marker
    expression naming it) or ``NC_VERIFY_SLOW=1``. The default run stays fast; it is what CI runs."""
    import pytest

    if "slow" in (config.option.markexpr or "") or os.environ.get("NC_VERIFY_SLOW") == "1":
        return
    skip = pytest.mark.skip(reason="slow tier: run with -m slow or NC_VERIFY_SLOW=1")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
