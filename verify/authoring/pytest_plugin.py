"""The nc-verify pytest plugin (installed with the package: entry point ``pytest11``, name ``nc_verify``).

* Hypothesis profiles ``dev`` (quick), ``ci`` (derandomised, no database) and ``fuzz`` (500 examples), the ones
  this repository's suite runs under: ``pytest --hypothesis-profile=ci``. A profile of the same name that your
  conftest registers replaces ours.
* Fixtures ``nc_check`` (:func:`verify.authoring.testing.assert_verified`) and ``nc_strategy``
  (:func:`verify.authoring.testing.strategy`); for ``@given`` at import time use ``verify.authoring.testing.strategy(...)``.
* ``--nc-path DIR`` (repeatable): claim directories for this run, as ``nc-verify --path``.
* ini option ``nc_verify_docs``: glob patterns (relative to the rootdir) of documents whose Python blocks run as
  tests (:mod:`verify.authoring.docs`), e.g. ``nc_verify_docs = ["derivation.md"]``.

Imports nothing heavy until used: a plugin loads in every pytest run of the environment.
"""

from __future__ import annotations

import pytest

PROFILES = {
    "dev": {"max_examples": 10, "deadline": None},
    "ci": {"max_examples": 10, "deadline": None, "derandomize": True, "database": None, "print_blob": True},
    "fuzz": {"max_examples": 500, "deadline": None},
}


def register_profiles() -> None:
    """Register the ``dev``, ``ci`` and ``fuzz`` Hypothesis profiles (too_slow health check off in ci and fuzz:
    a claim's independent solve takes a fraction of a second per point)."""
    from hypothesis import HealthCheck, settings

    for name, options in PROFILES.items():
        extra = {} if name == "dev" else {"suppress_health_check": [HealthCheck.too_slow]}
        settings.register_profile(name, **options, **extra)


def pytest_addoption(parser) -> None:
    group = parser.getgroup("nc-verify")
    group.addoption("--nc-path", action="append", default=[], metavar="DIR", help="also load claims from DIR")
    parser.addini("nc_verify_docs", "glob patterns of documents whose Python blocks run as tests", type="linelist")


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config) -> None:
    register_profiles()  # before Hypothesis' own plugin loads --hypothesis-profile
    paths = config.getoption("nc_path", default=[])
    if paths:
        from verify.engine import registry

        registry.add_path(*paths)


_collectors: dict = {}


def pytest_collect_file(file_path, parent):
    patterns = parent.config.getini("nc_verify_docs")
    if not patterns:
        return None
    root = parent.config.rootpath
    try:
        relative = file_path.relative_to(root)
    except ValueError:
        return None
    if not any(relative.match(p) or file_path.match(p) for p in patterns):
        return None
    key = (str(root), tuple(patterns))
    if key not in _collectors:
        from verify.authoring.docs import sybil

        names = sorted({p.rsplit("/", 1)[-1] for p in patterns})
        _collectors[key] = sybil(patterns=names, path=root).pytest()
    return _collectors[key](file_path, parent)


@pytest.fixture
def nc_check():
    """``nc_check(claim_or_id, examples=4, seed=0, dps=30, starts=8, allow_inconclusive=False)``: check a claim,
    failing the test with the table of bad points."""
    from verify.authoring.testing import assert_verified

    return assert_verified


@pytest.fixture
def nc_strategy():
    """``nc_strategy(claim_or_id)``: the claim's Hypothesis strategy (for ``data.draw`` inside a test)."""
    from verify.authoring.testing import strategy

    return strategy
