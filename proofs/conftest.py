"""Runs every Markdown derivation in proofs/ as a test: each ```python block executes, in order, in one
namespace per document (Sybil); a failing assertion fails the proof."""

from sybil import Sybil
from sybil.parsers.markdown import PythonCodeBlockParser

pytest_collect_file = Sybil(parsers=[PythonCodeBlockParser()], patterns=["*.md"]).pytest()
