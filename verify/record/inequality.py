"""An inequality a proof rests on, proved over parameter boxes by ``nc-verify certify ID --box``."""

from __future__ import annotations

from dataclasses import dataclass

import sympy


@dataclass(frozen=True)
class ProofInequality:
    """An inequality a proof rests on: ``margin >= 0`` (``> 0`` if ``strict``) for every parameter point of a
    box; ``nc-verify certify ID --box ...`` proves it by branch and bound on balls (verify/certify/box.py)."""

    name: str
    statement: str
    margin: sympy.Expr
    where: str  # the paper's equation / proof step
    strict: bool = False
    #: variables of ``margin`` that are functions of the parameters, ``(symbol, expression)``: the box is mapped to
    #: their ranges (enclosed in balls) and the engine splits those (thm1's s = sqrt(E_H E_W))
    derived: tuple[tuple[sympy.Symbol, sympy.Expr], ...] = ()
