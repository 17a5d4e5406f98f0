"""docs/authoring.md is executed, block by block, through the same public machinery users enable for their own
documents (verify.authoring.docs.sybil): the guide from an empty directory to a verified claim cannot go stale."""

from pathlib import Path

from verify.authoring.docs import sybil

ROOT = Path(__file__).resolve().parents[1]


def test_the_authoring_guide_runs():
    document = sybil(patterns=["authoring.md"], path=ROOT / "docs").parse(ROOT / "docs" / "authoring.md")
    examples = list(document)
    assert len(examples) >= 8
    for example in examples:
        example.evaluate()
