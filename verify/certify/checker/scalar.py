"""The checker's kind ``two_layer_scalar`` (Tirer & Bruna 2022, problems (23)/(24)): hi at a point of the two-layer
program, exactly; lo a lower bound of the scalar core g(u) = (u^3 - 1)^2/2 + (3/2) K beta u^2 over u >= 0 from a
cover of [0, U] by intervals, each bounded below by a Taylor form in Arb balls (what is proved: the package
docstring). python-flint and the standard library only."""

from __future__ import annotations

from flint import arb, fmpq

from .exact import matrix, rational


def k_beta(data) -> arb:
    """K beta = (K^3 n lambda_H1 lambda_W1 lambda_W2)^(1/3) as a ball (the cube root of an exact rational)."""
    cube = rational(data["K"]) ** 3 * rational(data["n"])
    cube *= rational(data["lambda_H1"]) * rational(data["lambda_W1"]) * rational(data["lambda_W2"])
    return arb(cube).root(3)


def g_lower(a: fmpq, b: fmpq, kb: arb) -> arb:
    """A lower bound of g on [a, b] (0 <= a < b): g(m + t) = sum_k c_k t^k about m = (a + b)/2, |t| <= r =
    (b - a)/2, with c0 = g(m), c1 = 3m^5 - 3m^2 + 3 Kb m, c2 = (15m^4 - 6m + 3 Kb)/2, c3 = 10m^3 - 1,
    c4 = 15m^2/2 >= 0, c5 = 3m, c6 = 1/2 >= 0 (g's Taylor coefficients; proofs/tirer2022.thm4_1.md checks them).
    The even terms c4, c6 are >= 0 (dropped); c1 t + c2 t^2 >= -c1^2/(4 c2) when c2 > 0 and >= -|c1| r - |c2| r^2
    always; c3 t^3 + c5 t^5 >= -|c3| r^3 - |c5| r^5. The result is an exact point (the ball's lower end)."""
    m, r = (a + b) / 2, (b - a) / 2
    m_, r_ = arb(m), arb(r)
    c0 = (m_**3 - 1) ** 2 / 2 + 3 * kb * m_**2 / 2
    c1 = 3 * m_**5 - 3 * m_**2 + 3 * kb * m_
    c2 = (15 * m_**4 - 6 * m_ + 3 * kb) / 2
    quadratic = -abs(c1) * r_ - abs(c2) * r_**2
    if c2 > 0:
        vertex, linear = -(c1**2) / (4 * c2), -abs(c1) * r_
        quadratic = vertex if vertex.lower() > linear.lower() else linear
    odd = arb(abs(10 * m**3 - 1) * r**3 + 3 * m * r**5)
    return arb((c0 + quadratic - odd).lower())


def _product(A, B) -> list[list[fmpq]]:
    return [[sum((x * y for x, y in zip(row, col, strict=True)), fmpq(0)) for col in zip(*B, strict=True)] for row in A]


def two_layer_scalar(data, primal, dual) -> tuple[arb, arb, list[str]]:
    K, n = int(rational(data["K"])), int(rational(data["n"]))
    lW1, lW2, lH1 = (rational(data[k]) for k in ("lambda_W1", "lambda_W2", "lambda_H1"))
    relu = {"identity": False, "relu": True}.get(data.get("activation"))
    if relu is None or not (lW1 > 0 and lW2 > 0 and lH1 > 0) or K < 1 or n < 1:
        return arb(0), arb(0), ["program data invalid: activation identity or relu, lambdas > 0, K, n >= 1"]
    W2, W1, H1 = matrix(primal["W2"]), matrix(primal["W1"]), matrix(primal["H1"])
    d2, d1, N = len(W1), len(H1), K * n
    if len(W2) != K or {len(r) for r in W2} != {d2} or {len(r) for r in W1} != {d1} or {len(r) for r in H1} != {N}:
        return arb(0), arb(0), ["primal shapes do not match K, n: W2 K x d2, W1 d2 x d1, H1 d1 x Kn"]
    if rational(data.get("d1", d1)) != d1 or rational(data.get("d2", d2)) != d2:
        return arb(0), arb(0), ["the data d1, d2 (when given) must be the primal's dimensions"]
    H2 = _product(W1, H1)
    if relu:
        H2 = [[x if x > 0 else fmpq(0) for x in row] for row in H2]
    Z = _product(W2, H2)
    sq = lambda rows: sum((x * x for r in rows for x in r), fmpq(0))  # noqa: E731
    residual = [[z - (1 if j // n == k else 0) for j, z in enumerate(row)] for k, row in enumerate(Z)]
    hi = arb(sq(residual) / (2 * N) + (lW2 * sq(W2) + lW1 * sq(W1) + lH1 * sq(H1)) / 2)
    t = [rational(x) for x in dual["breakpoints"]]
    errors = []
    if len(t) < 2 or t[0] != 0 or any(not x < y for x, y in zip(t, t[1:], strict=False)):
        errors.append("breakpoints must start at 0 and increase strictly")
    elif not t[-1] ** 3 >= 2:
        errors.append("the last breakpoint U must have U^3 >= 2 (beyond it g(u) > 1/2 = g(0))")
    if errors:
        return arb(0), hi, errors
    kb = k_beta(data)
    lo = min((g_lower(a, b, kb) for a, b in zip(t, t[1:], strict=False)), key=lambda x: x.mid())
    return lo, hi, errors
