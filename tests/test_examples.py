"""The worked example outside the package (examples/penalised-thm1): found by `nc-verify` through a claim path
and, installed, through its entry point; verified by `nc-verify check`; a deliberate error in it comes back failed;
its derivation and tests run under the user's own pytest (the nc-verify plugin).

The install is real but kept out of this environment: `pip install --no-deps --no-build-isolation --target DIR`
(offline: setuptools is present) into a temporary directory put on PYTHONPATH of subprocesses, so the suite's own
environment (and `nc-verify list` in the other tests) never sees it. Skipped only where pip is missing."""

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from verify.engine import registry
from verify.face.cli import main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "penalised-thm1"
CLAIM_DIR = EXAMPLE / "penalised_thm1"

WRONG = """
import sympy as sp
from penalised_thm1.claim import K, c, make_claim

# a deliberate error: the ETF scale without its factor (K-1)/K
CLAIM = make_claim("penalised.wrong_scale", scale=sp.log((K - (K - 1) * c) / c))
"""


@pytest.fixture
def example_on_path(monkeypatch):
    monkeypatch.syspath_prepend(str(EXAMPLE))  # the claim file imports its package (installed, in real use)
    monkeypatch.setenv(registry.PATH_VARIABLE, str(CLAIM_DIR))
    yield


def test_example_on_the_claim_path_is_listed_shown_and_verified(example_on_path, capsys):
    assert main(["list"]) == 0
    assert "penalised.thm1" in capsys.readouterr().out
    assert main(["show", "penalised.thm1"]) == 0
    assert "lambda_H lambda_W < 1" in capsys.readouterr().out
    assert main(["eval", "penalised.thm1", "K=3", "lambda_H=1/10", "lambda_W=1/5"]) == 0
    assert "scale" in capsys.readouterr().out
    assert main(["solve", "penalised.thm1", "K=2", "lambda_H=1/10", "lambda_W=1/10", "--starts", "3"]) == 0
    assert "classifier_norm" in capsys.readouterr().out
    assert main(["errata", "--json"]) == 0
    capsys.readouterr()
    assert main(["check", "penalised.thm1", "--examples", "1"]) == 0
    assert "verified" in capsys.readouterr().out
    assert main(["eval", "penalised.thm1", "K=3", "lambda_H=2", "lambda_W=1"]) == 2
    assert "lambda_H lambda_W < 1" in capsys.readouterr().err


def test_deliberate_error_comes_back_failed(example_on_path, tmp_path, capsys):
    (tmp_path / "wrong.py").write_text(WRONG)
    assert main(["--path", str(tmp_path), "check", "penalised.wrong_scale", "--examples", "0"]) == 1
    out = capsys.readouterr().out
    assert "failed" in out
    assert main(["check", "penalised.thm1", "--examples", "0", "--path", str(tmp_path)]) == 0  # per-command option


def test_id_clash_is_a_clear_error(example_on_path, tmp_path, capsys):
    (tmp_path / "twin.py").write_text("from penalised_thm1.claim import make_claim\nCLAIM = make_claim()\n")
    assert main(["--path", str(tmp_path), "list"]) == 2
    err = capsys.readouterr().err
    assert "'penalised.thm1' is defined twice" in err and "twin.py" in err
    other = tmp_path / "other"
    other.mkdir()
    (other / "builtin_twin.py").write_text(
        "from penalised_thm1.claim import make_claim\nCLAIM = make_claim('fang2021.thm1')\n"
    )
    assert main(["--path", str(other), "show", "fang2021.thm1"]) == 2
    assert "built-in catalogue" in capsys.readouterr().err


def test_broken_claim_file_is_one_line(tmp_path, capsys):
    (tmp_path / "broken.py").write_text("CLAIM = 1 / 0\n")
    assert main(["--path", str(tmp_path), "list"]) == 2
    assert "ZeroDivisionError" in capsys.readouterr().err
    assert main(["--path", str(tmp_path / "missing"), "list"]) == 2
    assert main(["list"]) == 0  # --path held for those commands only
    assert "fang2021.thm1" in capsys.readouterr().out


def _run(args, env, cwd=ROOT, timeout=300):
    return subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)


def _can_build_wheels() -> bool:
    """pip and a wheel builder offline: setuptools >= 70.1 builds wheels itself, older ones need `wheel`
    (the [nets] extra pulls a recent setuptools in with torch, as CI installs it)."""
    if importlib.util.find_spec("pip") is None or importlib.util.find_spec("setuptools") is None:
        return False
    from importlib.metadata import version

    major, minor = (int(x) for x in version("setuptools").split(".")[:2])
    return (major, minor) >= (70, 1) or importlib.util.find_spec("wheel") is not None


@pytest.mark.skipif(not _can_build_wheels(), reason="no offline wheel builder (pip + setuptools >= 70.1 or wheel)")
def test_installed_example_is_found_by_its_entry_point_and_its_own_suite_passes(tmp_path):
    site, source = tmp_path / "site", tmp_path / "penalised-thm1"
    shutil.copytree(EXAMPLE, source, ignore=shutil.ignore_patterns("*.egg-info", "build", "__pycache__"))
    pip = [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", "--no-index"]
    build_env = {**os.environ, "PIP_NO_INPUT": "1"}
    done = _run([*pip, "--target", str(site), str(source)], build_env)  # built from a copy: the tree stays clean
    assert done.returncode == 0, done.stderr
    env = {k: v for k, v in os.environ.items() if k != registry.PATH_VARIABLE}
    env["PYTHONPATH"] = os.pathsep.join([str(site), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    cli = [sys.executable, "-m", "verify"]
    listed = _run([*cli, "list"], env)
    assert listed.returncode == 0 and "penalised.thm1" in listed.stdout, listed.stderr
    checked = _run([*cli, "check", "penalised.thm1", "--examples", "1"], env)
    assert checked.returncode == 0 and "verified" in checked.stdout, checked.stdout + checked.stderr
    # the user's own pytest run in the example's directory: its tests and its derivation (plugin, nc_verify_docs)
    suite = _run([sys.executable, "-m", "pytest", "-q", "-p", "no:randomly"], env, cwd=EXAMPLE)
    assert suite.returncode == 0, suite.stdout[-3000:] + suite.stderr[-2000:]
    assert "derivation.md" in _run([sys.executable, "-m", "pytest", "--collect-only", "-q"], env, cwd=EXAMPLE).stdout
