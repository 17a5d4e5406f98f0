"""What the command-line modules share: exit statuses, ``name=value`` parsing and output (text or JSON)."""

from __future__ import annotations

import json

from verify.base.errors import InputError

EXIT_OK, EXIT_FAILED, EXIT_USER_ERROR, EXIT_INCONCLUSIVE = 0, 1, 2, 3


def _assignments(items: list[str]) -> dict[str, str]:
    out = {}
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name:
            shown = item if len(item) <= 40 else item[:37] + "..."
            raise InputError(f"argument {shown!r} is not of the form name=value", parameter=shown, fix="e.g. K=3")
        if name in out:
            raise InputError(
                f"parameter {name} is given twice ({name}={out[name]} and {name}={value})",
                parameter=name,
                fix=f"give {name} once",
            )
        out[name] = value
    return out


def _jsonable(x):
    """numpy scalars and arrays, mpmath numbers and fractions in solver details become JSON values."""
    if hasattr(x, "tolist"):
        return x.tolist()
    if isinstance(x, float | int | str):
        return x
    return str(x)


def _emit(args, data: dict, text: str) -> None:
    print(json.dumps(data, indent=2, default=_jsonable) if args.json else text)
