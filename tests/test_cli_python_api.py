"""docs/python-api.md is a session: its Python blocks run in order, in one namespace (Sybil), and assert what
they show."""

from pathlib import Path

from sybil import Sybil
from sybil.parsers.markdown import PythonCodeBlockParser

PAGE = Path(__file__).resolve().parents[1] / "docs" / "python-api.md"


def test_python_api_page_runs_as_shown():
    document = Sybil(parsers=[PythonCodeBlockParser()]).parse(PAGE)
    examples = list(document)
    assert len(examples) >= 6
    for example in examples:
        example.evaluate()
