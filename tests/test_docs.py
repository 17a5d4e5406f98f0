"""The documentation is generated or executed, never stale: the catalogue page matches the registry, and the
README opens with the two commands CI runs."""

from pathlib import Path

from verify.catalogue_page import render

ROOT = Path(__file__).resolve().parents[1]


def test_catalogue_page_is_in_sync_with_the_registry():
    committed = (ROOT / "docs" / "catalogue.md").read_text()
    assert committed == render(), "regenerate: python -m verify.catalogue_page > docs/catalogue.md"


def test_readme_opens_with_the_two_commands_and_ci_runs_the_second():
    lines = [ln for ln in (ROOT / "README.md").read_text().splitlines() if ln.strip()]
    fence = lines.index("```")
    install_and_check, install_and_test = lines[fence + 1], lines[fence + 2]
    assert install_and_check.endswith("&& nc-verify check")
    assert "pytest" in install_and_test
    assert install_and_test in (ROOT / ".ci" / "run").read_text()
