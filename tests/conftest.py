"""Hypothesis profiles ``dev`` (default, quick), ``ci`` (derandomised, the README's test command) and ``fuzz``
(large budgets for campaigns: ``pytest -m slow --hypothesis-profile=fuzz``) are registered by the nc-verify
pytest plugin (:mod:`verify.authoring.pytest_plugin`), the same ones users' suites get."""

import os

from hypothesis import settings

from verify.authoring.pytest_plugin import register_profiles

register_profiles()  # already done by the plugin; repeated so that `-p no:nc_verify` runs still have them
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
