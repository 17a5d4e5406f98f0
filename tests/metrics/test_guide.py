"""The executable example of docs/metrics.md runs and its assertions hold (a trained ReLU network on the
digits, measured in memory and streamed)."""

import re
from pathlib import Path

import pytest
from threadpoolctl import threadpool_limits

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "metrics.md"


def _runnable_blocks() -> list[str]:
    blocks = re.findall(r"```python\n(.*?)```", GUIDE.read_text(), flags=re.S)
    return [b for b in blocks if b.startswith("import ")]  # the others are schematic (a loader, your W)


def test_the_guide_has_a_runnable_example():
    assert len(_runnable_blocks()) == 1


def test_the_guide_example_runs():
    pytest.importorskip("sklearn")
    with threadpool_limits(limits=1):  # small float32 matrices: threads only contend (see the guide)
        exec(compile(_runnable_blocks()[0], str(GUIDE), "exec"), {})
