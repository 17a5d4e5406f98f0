"""The Python interface for notebooks and scripts: ``verify.claim(id)`` and its ``eval``, ``solve``, ``check``.

    >>> import verify
    >>> thm5 = verify.claim("fang2021.thm5")
    >>> thm5.eval(K_A=3, K_B=7, E_H=5, E_W=1)["R0"]          # only what R0 depends on
    >>> thm5.eval(K_A=3, K_B=7, E_H=5, E_W=1, R=300, dps=50)  # every quantity, 50 digits

Parameters are numbers or strings (``E_H="0.1"`` is exactly 1/10; a float is read as its shortest decimal);
vector parameters take any sequence or ``"8,4,2"``. Hypotheses are checked as on the command line, and a
mistake raises :class:`verify.base.errors.InputError` naming the parameter and the fix. Results print every
computed digit.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import mpmath

from verify.base.errors import InputError
from verify.engine import registry
from verify.engine.options import validate_dps, validate_solve_options
from verify.record import Claim, SolveOptions, SolveReport, Value, Withheld


class Number(mpmath.mpf):
    """An ``mpmath.mpf`` that prints every digit it was computed to (``print(value)`` outside ``workdps``
    would otherwise show mpmath's default 15). Arithmetic on it gives plain ``mpf``."""

    __slots__ = ("digits",)

    def __new__(cls, value, digits: int):
        with mpmath.workdps(digits + 10):
            self = mpmath.mpf.__new__(cls, value)
        self.digits = digits
        return self

    def __str__(self) -> str:
        with mpmath.workdps(self.digits + 5):
            return mpmath.nstr(self, self.digits, strip_zeros=False)

    __repr__ = __str__


def _quantity_names(quantities) -> list[str] | None:
    """None (all), one name, or a sequence of names; anything else is an InputError naming ``quantities``."""
    if quantities is None:
        return None
    if isinstance(quantities, str):
        quantities = [quantities]
    if not isinstance(quantities, Sequence) or not all(isinstance(q, str) for q in quantities):
        raise InputError(
            f"quantities = {quantities!r} is not a list of quantity names",
            parameter="quantities",
            fix="give names, e.g. quantities=['value'] (or omit it for every quantity)",
        )
    if any(q.strip() == "" for q in quantities):
        raise InputError("quantities has an empty name", parameter="quantities", fix="name a quantity, e.g. value")
    return list(quantities)


def _numbers(value, digits: int):
    if isinstance(value, Mapping):  # entries shared by a vector (equal class sizes) stay shared: wrapped once
        done: dict = {}
        return {
            k: done[id(v)] if id(v) in done else done.setdefault(id(v), _numbers(v, digits)) for k, v in value.items()
        }
    return Number(value, digits) if isinstance(value, mpmath.mpf) else value


@dataclass(frozen=True)
class Evaluation(Mapping):
    """The closed form of one claim at one (possibly partial) parameter point: a read-only mapping
    quantity name -> value (``mpmath.mpf``, :class:`~verify.record.Undefined`, a dict for a vector quantity, or
    :class:`~verify.record.Withheld` with what it needs). ``repr`` shows all ``dps`` digits."""

    claim: Claim
    params: Mapping[str, Value]
    dps: int
    values: Mapping[str, object]

    def __getitem__(self, name: str):
        return self.values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.values)

    def __len__(self) -> int:
        return len(self.values)

    @property
    def computed(self) -> dict[str, object]:
        """The quantities that were computed (not :class:`~verify.record.Withheld`)."""
        return {k: v for k, v in self.values.items() if not isinstance(v, Withheld)}

    def to_json(self) -> dict:
        from verify.face import report

        return report.eval_json(self.claim, self.params, self.values, self.dps)

    def __repr__(self) -> str:
        from verify.face import report

        return report.eval_text(self.claim, self.params, self.values, self.dps)

    __str__ = __repr__


@dataclass(frozen=True)
class Solve:
    """An independent solve of the claim's program at one point (never sees the closed form)."""

    claim: Claim
    params: Mapping[str, Value]
    report: SolveReport
    defaults: Mapping[str, str] = field(default_factory=dict)

    @property
    def converged(self) -> bool:
        """True when the solve passed its residual tests and enough random starts agree."""
        return self.report.converged

    @property
    def status(self) -> str:
        """``converged``, ``not_corroborated`` (too few starts agree) or ``not_converged``, as ``nc-verify solve``."""
        from verify.face.report import solve_status

        return solve_status(self.report)

    @property
    def quantities(self) -> Mapping:
        return self.report.quantities

    def __repr__(self) -> str:
        from verify.face import report

        return report.solve_text(self.claim, self.params, self.report, defaults=self.defaults)

    __str__ = __repr__


@dataclass(frozen=True)
class ClaimHandle:
    """One claim of the catalogue, with the commands of ``nc-verify`` as methods."""

    claim: Claim

    @property
    def id(self) -> str:
        return self.claim.id

    def eval(self, dps: int = 30, quantities: Sequence[str] | None = None, **params) -> Evaluation:
        """The closed form: every quantity whose parameters are given and whose hypotheses hold (the others are
        ``Withheld``, saying what they need). Raises :class:`~verify.base.errors.InputError` when none can be
        computed."""
        dps = _dps(dps)
        quantities = _quantity_names(quantities)
        if not params and self.claim.parameters:
            example = " ".join(f"{k}={v}" for k, v in self.claim.examples[0].params.items())
            raise InputError(
                f"{self.claim.id} needs parameters: {', '.join(p.name for p in self.claim.parameters)}",
                parameter=self.claim.parameters[0].name,
                fix=f"e.g. {example}",
            )
        values = self.claim.parse(params, partial=True)
        out = self.claim.evaluate(values, dps, quantities)
        if out and all(isinstance(v, Withheld) for v in out.values()):
            raise _nothing_computed(self.claim, values, out)
        return Evaluation(self.claim, values, dps, {k: _numbers(v, dps) for k, v in out.items()})

    def solve(self, dps: int = 30, starts: int = 8, seed: int = 0, **params) -> Solve:
        """The independent solve; sizes no quantity depends on take their documented defaults."""
        values = self.claim.parse(params)
        options = _options(dps, starts, seed)
        return Solve(self.claim, values, self.claim.solver(values, options), self.claim.defaulted(params, values))

    def check(self, examples: int = 4, seed: int = 0, dps: int = 30, starts: int = 8, certify: bool = False):
        """Pinned examples plus ``examples`` drawn points, each solved independently: a
        :class:`verify.engine.checking.ClaimResult` whose ``verdict`` is verified, failed or inconclusive; with
        ``certify``, also proven enclosures of the minimum where the claim has a certificate: each comparison's
        ``certified`` and ``certify_note``, and ``certified`` where every quantity is (docs/certified.md)."""
        from verify.engine.checking import check_claim
        from verify.engine.options import MAX_EXAMPLES, validate_count

        examples = validate_count(
            "examples", examples, 0, "0 checks the pinned examples only", MAX_EXAMPLES, "each is a full solve"
        )
        options = _options(dps, starts, seed)
        return check_claim(self.claim, examples=examples, seed=seed, options=options, certify=certify)

    def __repr__(self) -> str:
        return f"<claim {self.claim.id}: {self.claim.title}>"


def _nothing_computed(claim: Claim, values: Mapping[str, Value], out: Mapping[str, Withheld]) -> InputError:
    needs = [p.name for p in claim.parameters if any(p.name in w.needs for w in out.values())]
    failing = [w.hypothesis for w in out.values() if w.hypothesis is not None]
    if failing:
        return claim._violation(failing[0], values)
    example = " ".join(f"{k}={v}" for k, v in claim.examples[0].params.items())
    return InputError(
        f"{claim.id}: no quantity can be computed: needs {', '.join(needs)}", parameter=needs[0], fix=f"e.g. {example}"
    )


def _dps(dps: int) -> int:
    return validate_dps(dps)


def _options(dps: int, starts: int, seed: int) -> SolveOptions:
    return validate_solve_options(dps, starts, seed)


def claim(claim_id: str | Claim) -> ClaimHandle:
    """The claim with this id (or wrap a :class:`~verify.record.Claim` built elsewhere)."""
    return ClaimHandle(claim_id if isinstance(claim_id, Claim) else registry.get(claim_id))


def claim_ids() -> list[str]:
    """The ids of the catalogue (without importing any claim)."""
    return registry.ids()
