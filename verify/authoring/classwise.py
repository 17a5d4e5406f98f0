"""Closed forms over a class-size vector, and quantities defined by a root: the authoring kit's per-class tools.

A theorem with classes of any sizes states its closed forms *per class*, as functions of that class's size n_k,
the total N and scalar parameters ("the singular value on class k is max(sqrt(n_k) - N rho, 0)"). Write the
sympy form once with the symbols :data:`n_k`, :data:`N` and :data:`K` and your parameters:

    from verify import authoring as a
    z = sp.Piecewise((sp.sqrt(a.n_k) - a.N * rho, a.n_k**2 > ...), (0, True))
    a.per_class("z", "singular value of W H on class k", z, tol)            # {"1": z_1, "2": z_2, ...}
    a.class_gram("gram_W", "w_k . w_l", diagonal=c * z, tol=tol)            # {"1,1": ..., "1,2": 0, ...}
    a.summed("value", "optimal value", per_class_term, tol)                 # sum_k term(n_k)

A quantity defined by an equation (a root) is declared with :func:`root_of` and used as a symbol in those forms:

    u = sp.Symbol("u", positive=True)
    largest = a.root_of(u**4 - sp.sqrt(a.n_k) * u + a.N * c, u, bracket=((sp.sqrt(a.n_k)/4)**(1/3), ...))
    a.per_class("u", "...", u, tol, roots={u: largest})

The root is found by a bracketed solve (mpmath's Anderson-Bjorck, a safeguarded secant that keeps a sign change)
at the working precision plus guard digits; where the bracket holds no sign change the root does not exist, and
the quantity is :class:`~verify.base.values.Undefined` for that class (or the form's ``absent`` value where the
statement says what happens then). The records are ordinary :class:`~verify.record.Quantity` objects with a
``reference`` (no ``expr``: n_k is not a parameter) whose ``definition`` prints the sympy form.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import mpmath
import sympy as sp

from verify.base.errors import InputError
from verify.record import Parameter, Quantity, Tolerance, Undefined

#: The size of the class a per-class form is evaluated at, the total number of samples, the number of classes.
n_k = sp.Symbol("n_k", positive=True)
N = sp.Symbol("N", positive=True)
K = sp.Symbol("K", integer=True, positive=True)
#: A second class size, for pair forms (class_gram's off-diagonal).
n_l = sp.Symbol("n_l", positive=True)

#: Guard digits of a root solve: the root is found at dps + ROOT_GUARD digits and its last correction must be
#: below 10^-(dps + ROOT_GUARD - 5) relative; the forms built on it are then evaluated with the root rounded there.
ROOT_GUARD = 15


def class_sizes(name: str = "n", description: str = "class sizes n_1..n_K (n=6,3,2,1 on the command line)"):
    """An integer-vector parameter: the class sizes (``n=6,3,2,1`` on the command line, any sequence in Python)."""
    if not name.isidentifier():
        raise InputError(f"{name!r} is not an identifier", parameter="name", fix="use a name such as n")
    return Parameter(name, "integer_vector", description)


@dataclass(frozen=True)
class Root:
    """The root of ``equation = 0`` in ``symbol`` inside ``bracket`` (sympy forms of the class and parameters)."""

    equation: sp.Expr
    symbol: sp.Symbol
    bracket: tuple[sp.Expr, sp.Expr]
    description: str = ""

    def solve(self, subs: Mapping, dps: int) -> mpmath.mpf | Undefined:
        """The root at ``dps`` + ROOT_GUARD digits, or Undefined where the bracket holds no sign change.

        Memoised on the values of the symbols the equation and bracket use (a Gram matrix or several quantities
        ask for the same class's root many times; the solve is deterministic, so the answer is the same)."""
        used = self.equation.free_symbols.union(*(sp.sympify(b).free_symbols for b in self.bracket))
        key = tuple(sorted(((s, v) for s, v in subs.items() if s in used), key=lambda kv: sp.srepr(kv[0])))
        return _solve_root(self, key, dps)

    def _solve(self, subs: Mapping, dps: int) -> mpmath.mpf | Undefined:
        with mpmath.workdps(dps + ROOT_GUARD):
            lo, hi = (mpmath.mpf(sp.N(sp.sympify(b).xreplace(subs), dps + ROOT_GUARD + 5)) for b in self.bracket)
            f = sp.lambdify(self.symbol, self.equation.xreplace(subs), "mpmath")
            f_lo, f_hi = f(lo), f(hi)
            if f_lo == 0:
                return lo
            if f_hi == 0:
                return hi
            if (f_lo > 0) == (f_hi > 0):
                return Undefined(f"no root of {self.equation} = 0 in [{mpmath.nstr(lo, 8)}, {mpmath.nstr(hi, 8)}]")
            root = mpmath.findroot(f, (lo, hi), solver="anderson", tol=mpmath.mpf(10) ** (-2 * (dps + ROOT_GUARD)))
            if not lo <= root <= hi:
                return Undefined(f"the bracketed solve left [{mpmath.nstr(lo, 8)}, {mpmath.nstr(hi, 8)}]")
            return root


@lru_cache(maxsize=4096)
def _solve_root(root: Root, key: tuple, dps: int) -> mpmath.mpf | Undefined:
    return root._solve(dict(key), dps)


def root_of(equation, symbol: sp.Symbol, bracket, description: str = "") -> Root:
    """A root-defined symbol: the root of ``equation`` in ``symbol`` between ``bracket = (lo, hi)``; choose the
    bracket so that it holds exactly the root the theorem means (e.g. from the minimum of the left side to a
    point beyond the largest root)."""
    if not isinstance(symbol, sp.Symbol):
        raise InputError(f"{symbol!r} is not a sympy Symbol", parameter="symbol", fix="give sp.Symbol('u')")
    if len(tuple(bracket)) != 2:
        raise InputError("bracket must be (lo, hi)", parameter="bracket", fix="give two sympy forms")
    return Root(sp.sympify(equation), symbol, tuple(sp.sympify(b) for b in bracket), description)


def _subs(values: Mapping, sizes: str, expr_symbols) -> dict:
    """Parameter values keyed by the expression's own symbols (matched by name), plus N and K."""
    n = values[sizes]
    by_name = {s.name: sp.Rational(v.numerator, v.denominator) for s, v in _scalars_raw(values, sizes)}
    subs = {s: by_name[s.name] for s in expr_symbols if s.name in by_name}
    subs.update({N: sp.Integer(int(sum(n))), K: sp.Integer(len(n))})
    return subs


def _scalars_raw(values: Mapping, sizes: str):
    return [(sp.Symbol(name), v) for name, v in values.items() if name != sizes and not isinstance(v, tuple)]


def _needs(exprs, sizes: str, roots: Mapping) -> tuple[str, ...]:
    skip = {n_k.name, n_l.name, N.name, K.name, *(s.name for s in roots)}
    names = {sizes}
    for e in exprs:
        names |= {s.name for s in sp.sympify(e).free_symbols if s.name not in skip}
    for r in roots.values():
        for e in (r.equation, *r.bracket):
            names |= {s.name for s in e.free_symbols if s.name not in skip}
    return tuple(sorted(names))


def _at(expr, subs: Mapping, roots: Mapping, dps: int, absent=None):
    """``expr`` at ``subs`` with every root symbol replaced by its root (relative digits via verify.base.precision)."""
    from verify.base.precision import evaluate_expr

    expr = sp.sympify(expr)
    full = dict(subs)
    for sym, root in roots.items():
        if sym not in expr.free_symbols:
            continue
        value = root.solve(subs, dps)
        if isinstance(value, Undefined):
            if absent is None:
                return value
            return evaluate_expr(sp.sympify(absent).xreplace(subs), {}, dps)
        full[sym] = sp.Float(mpmath.nstr(value, dps + ROOT_GUARD), dps + ROOT_GUARD)
    everything = set().union(*(sp.sympify(e).free_symbols for e in (expr, *full)))
    return evaluate_expr(expr.xreplace({s: v for s, v in full.items() if s in everything}), {}, dps)


def per_class(
    name: str, description: str, expr, tol: Tolerance, *, sizes: str = "n", roots=None, absent=None, definition=""
) -> Quantity:
    """One value per class, labelled "1".."K": ``expr`` (sympy, in n_k, N, K and parameters) at each class.
    ``roots``: {symbol: :func:`root_of`} used in ``expr``; ``absent``: the value where a root does not exist."""
    roots = dict(roots or {})
    expr = sp.sympify(expr)

    def reference(values, dps):
        subs = _subs(values, sizes, expr.free_symbols | _root_symbols(roots))
        return {
            str(k + 1): _at(expr, {**subs, n_k: sp.Integer(int(nk))}, roots, dps, absent)
            for k, nk in enumerate(values[sizes])
        }

    return Quantity(
        name, description, None, tol, reference=reference, definition=definition or f"per class k: {expr}",
        needs=_needs([expr, absent or 0], sizes, roots),
    )  # fmt: skip


def class_gram(
    name: str,
    description: str,
    diagonal,
    tol: Tolerance,
    *,
    off_diagonal=0,
    sizes: str = "n",
    roots=None,
    absent=None,
    definition: str = "",
) -> Quantity:
    """A K x K Gram matrix by its entries k <= l, labelled "k,l": ``diagonal`` in n_k, ``off_diagonal`` in n_k and
    n_l (default 0: orthogonal); ``absent``: the entry where a root it uses does not exist."""
    roots = dict(roots or {})
    diagonal, off_diagonal = sp.sympify(diagonal), sp.sympify(off_diagonal)

    def reference(values, dps):
        subs = _subs(values, sizes, diagonal.free_symbols | off_diagonal.free_symbols | _root_symbols(roots))
        n = [sp.Integer(int(v)) for v in values[sizes]]
        out = {}
        for k in range(len(n)):
            for m in range(k, len(n)):
                form = diagonal if k == m else off_diagonal
                out[f"{k + 1},{m + 1}"] = _at(form, {**subs, n_k: n[k], n_l: n[m]}, roots, dps, absent)
        return out

    return Quantity(
        name, description, None, tol, reference=reference,
        definition=definition or f"entry (k, k): {diagonal}; entry (k, l), k != l: {off_diagonal}",
        needs=_needs([diagonal, off_diagonal], sizes, roots),
    )  # fmt: skip


def summed(
    name: str, description: str, term, tol: Tolerance, *, sizes: str = "n", roots=None, absent=None, definition=""
) -> Quantity:
    """A scalar: the sum over classes of ``term`` (sympy in n_k, N, K and parameters), summed at dps + 10."""
    roots = dict(roots or {})
    term = sp.sympify(term)

    def reference(values, dps):
        subs = _subs(values, sizes, term.free_symbols | _root_symbols(roots))
        parts = []
        with mpmath.workdps(dps + 10):
            for nk in values[sizes]:
                part = _at(term, {**subs, n_k: sp.Integer(int(nk))}, roots, dps + 10, absent)
                if isinstance(part, Undefined):
                    return part
                parts.append(part)
            total = mpmath.fsum(parts)
        return +total  # rounded to the caller's dps

    return Quantity(
        name, description, None, tol, reference=reference, definition=definition or f"sum over k of {term}",
        needs=_needs([term, absent or 0], sizes, roots),
    )  # fmt: skip


def _root_symbols(roots: Mapping) -> set:
    out = set()
    for r in roots.values():
        out |= r.equation.free_symbols
        for b in r.bracket:
            out |= b.free_symbols
    return out


def class_matrix(
    name: str,
    description: str,
    matrix,
    tol: Tolerance,
    *,
    definition: str,
    symmetric: bool = True,
    sizes: str = "n",
    needs: tuple[str, ...] | None = None,
) -> Quantity:
    """A K x K matrix quantity with no per-entry closed form (a matrix function of D = diag(n), such as
    (P D P)^(1/2)): ``matrix(values, dps)`` returns an mpmath matrix computed at ``dps`` (with your own guard
    digits); entries are labelled "k,l" (k <= l when ``symmetric``, every ordered pair otherwise)."""

    def reference(values, dps):
        A = matrix(values, dps)
        K = A.rows
        return {f"{k + 1},{m + 1}": +A[k, m] for k in range(K) for m in range(K) if not symmetric or m >= k}

    return Quantity(name, description, None, tol, reference=reference, definition=definition, needs=needs or (sizes,))
