"""Executable derivations in your own documents: the machinery that runs this repository's ``proofs/*.md``.

In the ``conftest.py`` next to your documents::

    from verify.authoring.docs import sybil
    pytest_collect_file = sybil(patterns=["*.md"]).pytest()

or, with no conftest, list the files in your pytest configuration (the nc-verify pytest plugin collects them)::

    [tool.pytest.ini_options]
    nc_verify_docs = ["docs/*.md", "derivation.md"]

Every ```python block of a Markdown file (```{code-block} python / ```python of MyST; ``.. code-block:: python``
and ``>>>`` doctests of reStructuredText) runs in order, in one namespace per document; a failing assertion or
:mod:`verify.authoring.derive` step fails that block, reported at the document's own line. Patterns ending in ``.md`` are
read as Markdown (MyST's fences included), ``.rst`` / ``.txt`` as reStructuredText.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path


def sybil(
    patterns: Sequence[str] = ("*.md",),
    *,
    path: str | Path | None = None,
    setup: Callable[[dict], None] | None = None,
    excludes: Sequence[str] = (),
):
    """A Sybil (or a collection of them, one per document format) collecting ``patterns`` under ``path``
    (default: the directory of the calling file, like Sybil itself). ``setup(namespace)`` runs before each
    document (put shared imports there). Returns an object with ``.pytest()``."""
    from sybil import Sybil

    if path is None:
        path = Path(sys._getframe(1).f_globals.get("__file__", "./x")).resolve().parent
    md = [p for p in patterns if not p.endswith((".rst", ".txt"))]
    rst = [p for p in patterns if p.endswith((".rst", ".txt"))]
    made = []
    if md:
        # MyST's parser reads plain ```python fences as well as ```{code-block} python directives
        from sybil.parsers.myst import PythonCodeBlockParser

        made.append(
            Sybil(parsers=[PythonCodeBlockParser()], patterns=md, path=str(path), setup=setup, excludes=list(excludes))
        )
    if rst:
        from sybil.parsers.rest import DocTestParser, PythonCodeBlockParser

        made.append(
            Sybil(
                parsers=[PythonCodeBlockParser(), DocTestParser()],
                patterns=rst,
                path=str(path),
                setup=setup,
                excludes=list(excludes),
            )
        )
    if not made:
        raise ValueError("sybil(): give at least one pattern, e.g. patterns=['*.md']")
    out = made[0]
    for other in made[1:]:
        out = out + other
    return out
