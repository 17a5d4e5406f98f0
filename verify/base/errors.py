"""User-facing errors.

A mistake in the input (a parameter outside a claim's hypotheses, an unknown claim id, a value that is not
a number) raises :class:`InputError`. The CLI prints its one-line message and exits with status 2; no
traceback is shown for a user mistake.
"""

from __future__ import annotations


class InputError(ValueError):
    """Bad user input: names the parameter, the violated hypothesis and the fix."""

    def __init__(self, message: str, *, parameter: str | None = None, fix: str | None = None) -> None:
        self.parameter = parameter
        self.fix = fix
        text = message if fix is None else f"{message}; {fix}"
        super().__init__(text)
