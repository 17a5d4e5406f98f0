"""Validation of the options every interface shares (``--dps``, ``--starts``, ``--seed``, ``--examples``):
one-line errors naming the option, the bound and why, for the CLI and the Python API alike."""

from __future__ import annotations

import numbers

from verify.base.errors import InputError

#: Tolerances keep up to 10 guard digits and the float64 stage carries 16: below 20 digits a tolerance
#: would be looser than the float64 solve itself.
MIN_DPS = 20
#: The mpmath KKT refinement is dense Newton in software arithmetic: a solve at 1000 digits already takes
#: minutes at the catalogue's sizes, and a closed form at 10^5 digits can run unbounded (sympy evalf).
MAX_DPS = 1000


def validate_dps(dps: object) -> int:
    if isinstance(dps, bool) or not isinstance(dps, numbers.Integral):  # numpy integers accepted
        raise InputError(f"--dps {dps!r} is not an integer", parameter="--dps", fix="e.g. --dps 30")
    dps = int(dps)
    if dps < MIN_DPS:
        raise InputError(
            f"--dps {dps} is below {MIN_DPS}",
            parameter="--dps",
            fix=f"use --dps {MIN_DPS} or more (tolerances keep up to 10 guard digits)",
        )
    if dps > MAX_DPS:
        raise InputError(
            f"--dps {dps} is above {MAX_DPS}",
            parameter="--dps",
            fix=f"use --dps {MAX_DPS} or less (the high-precision stages cost grows fast with the digits: "
            "a solve at 1000 digits already takes minutes)",
        )
    return dps


#: Most random starts of one solve (each is a float64 local solve: 1000 already take minutes on the larger
#: claims) and most drawn points of one ``check`` (each is a full solve, up to ~10 s: 100 points of the whole
#: catalogue are hours already; larger samples belong to the fuzz campaigns, pytest --hypothesis-profile=fuzz).
MAX_STARTS = 1000
MAX_EXAMPLES = 100


def validate_count(
    name: str, value: object, minimum: int, why: str, maximum: int | None = None, why_max: str = ""
) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):  # numpy integers accepted
        raise InputError(f"{name} {value!r} is not an integer", parameter=name, fix=f"give an integer {name}")
    value = int(value)
    if value < minimum:
        raise InputError(
            f"{name} {value} is below {minimum}", parameter=name, fix=f"use {name} {minimum} or more ({why})"
        )
    if maximum is not None and value > maximum:
        raise InputError(
            f"{name} {value} is above {maximum}", parameter=name, fix=f"use {name} {maximum} or less ({why_max})"
        )
    return value


def validate_solve_options(dps: object, starts: object, seed: object):
    """A :class:`verify.record.SolveOptions` from validated values."""
    from verify.base.solving import SolveOptions

    return SolveOptions(
        dps=validate_dps(dps),
        n_starts=validate_count(
            "--starts",
            starts,
            1,
            "a solve needs at least one random start",
            MAX_STARTS,
            "each start is a float64 local solve; 1000 already take minutes",
        ),
        seed=validate_count("--seed", seed, 0, "seeds of numpy's generator are non-negative"),
    )


#: Most worker processes of ``check --jobs``: each is a fresh interpreter holding the catalogue (~150 MB);
#: beyond the number of points there is nothing for a worker to do.
MAX_JOBS = 64


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity where the platform says, else the CPU count): the
    default of ``check --jobs``."""
    import os

    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS, Windows
        return max(1, os.cpu_count() or 1)
