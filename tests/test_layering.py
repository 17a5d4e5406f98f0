"""The architecture of ``verify/``, as a test: which package may import which, no import circle, short modules.

Read :data:`ALLOWED` as the architecture diagram, bottom to top. Every import of every module counts, also one
inside a function (a lazy import is still a dependency). Loading a module by a string
(``importlib.import_module("verify.claims")``, how the engine finds the catalogue) is not an import here: that is
the one door from the engine to the claims, and it never runs at import time.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "verify"

#: package -> the packages its modules may import (besides itself). Bottom to top.
ALLOWED: dict[str, set[str]] = {
    # layer 0, the bottom: InputError, Undefined/Unavailable, SolveOptions/SolveReport, precision, sympy helpers.
    "base": set(),
    # layer 1, the record: Claim, Parameter, Hypothesis, Quantity, Erratum (data about a claim; runs nothing).
    "record": {"base"},
    # layer 1, measurements of collapse on features (NC1-NC4 with their conventions; numpy only), and the
    # geometry built on them: frames (simplex ETF, orthogonal), invariants with zero-norm guards, the NC summary.
    "metrics": {"base"},
    "geometry": {"base", "metrics"},
    # layer 2, the papers' programs (losses, constraints), then the solvers of those programs. A solve never
    # sees its answer: neither imports the record, the claims or the engine.
    "models": {"base", "geometry"},
    "solvers": {"base", "geometry", "models"},
    # layer 2, rigorous enclosures (python-flint balls): of the programs' minima (issue 18; built from a solve's
    # point, never from a closed form; its checker, verify/certify/checker/, imports nothing of verify at all,
    # tests/test_certify.py), of thresholds and roots, and inequalities over parameter boxes by branch and bound.
    # Like the solvers it never imports the record, the claims or the engine (what a claim needs is handed in: a
    # sympy margin, a box of numbers); the ``certify`` command's report is face/certify_report.py.
    "certify": {"base", "geometry", "models", "solvers"},
    # layer 3, the engine: finds claims (by name, never by a static import of the catalogue) and checks them.
    "engine": {"base", "record", "certify"},
    # layer 4, the authoring kit for users' own claims (authoring API, derive, docs, pytest plugin, testing).
    "authoring": {"base", "record", "engine", "geometry", "metrics", "models", "solvers", "certify"},
    # layer 5, the catalogue: one module per claim, written with the kit.
    "claims": {"base", "record", "authoring", "geometry", "metrics", "models", "solvers", "certify"},
    # layer 6, the network tier (torch, behind the `nets` extra).
    "nets": {"base", "record", "engine", "authoring", "geometry", "metrics", "models", "solvers", "claims"},
    # layer 6, campaigns: fuzzing (and box certification) spread over Dask workers or local processes; checks
    # points through the engine, never a claim directly (claims are looked up by id on the worker).
    "campaigns": {"base", "record", "engine", "certify"},
    # layer 7, the face: command line, Python API, reports, figures. May import anything.
    "face": {
        "base",
        "record",
        "engine",
        "authoring",
        "geometry",
        "metrics",
        "models",
        "solvers",
        "certify",
        "claims",
        "nets",
        "campaigns",
    },
    # the top-level modules: the package (names loaded lazily by string), `python -m verify`, the public alias
    # verify.derive (= verify.authoring.derive)
    "verify": set(),
    "__main__": {"face"},
    "derive": {"authoring"},
}

#: the packages that never import torch (the core runs without the `nets` extra)
NO_TORCH = {"base", "record", "geometry", "metrics", "models", "solvers", "certify", "engine", "authoring", "claims"}

#: the longest a module may be (lines); a room longer than this does not read in one sitting
MAX_LINES = 350

#: modules allowed above MAX_LINES, each with its reason (keep it empty)
TOO_LONG_ALLOWED: dict[str, str] = {}


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _package(module: str) -> str:
    parts = module.split(".")
    return "verify" if len(parts) == 1 else parts[1]


def _imports(module: str, path: Path) -> list[str]:
    """Every module (of verify, or outside it) that ``module`` imports, anywhere in its body."""
    is_package = path.name == "__init__.py"
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".") if is_package else module.split(".")[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.append(sub if sub in MODULES else base)
    return found


GRAPH = {m: sorted({t for t in _imports(m, p) if t in MODULES and t != m}) for m, p in MODULES.items()}


def test_every_package_is_in_the_table():
    unknown = sorted({_package(m) for m in MODULES} - set(ALLOWED))
    assert not unknown, f"new package(s) {unknown}: add them to ALLOWED in tests/test_layering.py (with their layer)"


def test_no_module_imports_a_higher_layer():
    wrong = [
        f"{m} imports {t} ({_package(m)} may import only {sorted(ALLOWED.get(_package(m), ())) or 'nothing'})"
        for m, targets in GRAPH.items()
        for t in targets
        if _package(t) != _package(m) and _package(t) not in ALLOWED.get(_package(m), set())
    ]
    assert not wrong, "\n".join(wrong)


def _cycles(graph: dict[str, list[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each one import circle or more."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_cycle_finder_finds_a_circle():
    assert _cycles({"a": ["b"], "b": ["c"], "c": ["a"], "d": ["a"]}) == [["a", "b", "c"]]
    assert _cycles({"a": ["b"], "b": []}) == []


def test_no_import_circle():
    circles = _cycles(GRAPH)
    assert not circles, "import circles: " + "; ".join(" <-> ".join(c) for c in circles)


def test_core_never_imports_torch():
    wrong = [
        m
        for m, p in MODULES.items()
        if _package(m) in NO_TORCH and any(t == "torch" or t.startswith("torch.") for t in _imports(m, p))
    ]
    assert not wrong, f"{wrong} import torch: only verify.nets (the `nets` extra) may"


def test_modules_fit_in_one_read():
    long = {
        m: n
        for m, p in MODULES.items()
        if (n := len(p.read_text().splitlines())) > MAX_LINES and m not in TOO_LONG_ALLOWED
    }
    assert not long, f"modules over {MAX_LINES} lines (split them into sibling modules): {long}"
