"""What every figure shares: matplotlib loaded on first use (a one-line error without it), a progress bar, and
output files checked before a sweep and written."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence

from verify.base.errors import InputError


def _pyplot():
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise InputError(
            "plotting needs matplotlib, which is not installed",
            parameter="matplotlib",
            fix="install the docs extra: pip install 'nc-verify[docs]' (or pip install matplotlib)",
        ) from None
    return plt


#: True while a progress bar's line is open on stderr (no newline yet): an error printed then starts a new line.
LINE_OPEN = [False]


def close_progress_line() -> None:
    """End an open progress-bar line, so that an error message is not appended to the bar's counts."""
    if LINE_OPEN[0]:
        sys.stderr.write("\n")
        sys.stderr.flush()
        LINE_OPEN[0] = False


def progress_bar(label: str) -> Callable[[int, int], None]:
    """A text progress bar on stderr: ``progress(done, total)``."""

    def show(done: int, total: int) -> None:
        width = 30
        filled = int(width * done / total)
        sys.stderr.write(f"\r{label:<28} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        LINE_OPEN[0] = done != total
        if done == total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return show


def check_outputs(outputs: Sequence[str]) -> None:
    """Fail early (before a sweep) on an unsupported file type, a folder that does not exist or cannot be
    written, or a missing matplotlib."""
    for out in outputs:
        if not out.endswith((".png", ".svg")):
            raise InputError(f"--out {out}", parameter="--out", fix="give a file name ending in .png or .svg")
        folder = os.path.dirname(os.path.abspath(out))
        if not os.path.isdir(folder):
            raise InputError(
                f"--out {out}: folder {folder} does not exist", parameter="--out", fix="create it or write elsewhere"
            )
        if not os.access(folder, os.W_OK) or (os.path.exists(out) and not os.access(out, os.W_OK)):
            raise InputError(f"--out {out} is not writable", parameter="--out", fix="write to a folder you can write")
    _pyplot()


def save(fig, outputs: Sequence[str]) -> None:
    check_outputs(outputs)
    for out in outputs:
        try:
            fig.savefig(out, dpi=150, bbox_inches="tight", metadata={"Date": None} if out.endswith(".svg") else None)
        except OSError as exc:
            raise InputError(f"--out {out}: {exc.strerror or exc}", parameter="--out", fix="write elsewhere") from None
