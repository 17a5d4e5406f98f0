"""Exact arithmetic of the checker: rationals from decimal strings, exact positive-definiteness, Gram matrices,
and p log p as a ball (the checker's trusted base: python-flint and the standard library only)."""

from __future__ import annotations

from fractions import Fraction

from flint import arb, fmpq


def rational(text) -> fmpq:
    """An exact rational from a decimal ("1.25", "-3e-7") or fraction ("1/3") string."""
    f = Fraction(str(text))
    return fmpq(f.numerator, f.denominator)


def matrix(rows) -> list[list[fmpq]]:
    return [[rational(x) for x in row] for row in rows]


def positive_definite(M: list[list[fmpq]]) -> bool:
    """True iff the symmetric rational matrix M is positive definite: exact Gaussian elimination, every pivot
    > 0 (a symmetric matrix is PD iff its LDL^T pivots are all positive)."""
    A = [row[:] for row in M]
    n = len(A)
    if any(A[i][j] != A[j][i] for i in range(n) for j in range(i)):
        return False
    for k in range(n):
        if not A[k][k] > 0:
            return False
        for i in range(k + 1, n):
            f = A[i][k] / A[k][k]
            for j in range(k + 1, n):
                A[i][j] -= f * A[k][j]
    return True


def gram(A: list[list[fmpq]]) -> list[list[fmpq]]:
    """A A^T, exactly."""
    return [[sum((x * y for x, y in zip(a, b, strict=True)), fmpq(0)) for b in A] for a in A]


def xlogx(p: fmpq) -> arb:
    """p log p in a ball (0 at p = 0); log1p(-(1 - p)) near 1 so that tiny 1 - p keeps its relative accuracy."""
    if p == 0:
        return arb(0)
    return arb(p) * (arb(-(1 - p)).log1p() if p > fmpq(1, 2) else arb(p).log())
