"""Where fang2021.thm4's ETF optimality breaks below x_star(K): s_c for the power loss at K = 4..6, q = 2, 3,
to 30 digits, with the certified side (issue 18; verify/claims/fang2021/_thm4_break.py).

    PYTHONPATH=. python benchmarks/thm4_s_c.py

Prints one row per setting: the grid bracket, s_c (secant on V_competitor - V_ETF at 40 digits), whether a
point strictly below the ETF value was proved in balls at the grid point below s_c, both balls, and the time.
"""

import time

from verify.claims.fang2021._thm4_break import SETTINGS, s_c
from verify.claims.fang2021.thm4 import x_star_findroot

if __name__ == "__main__":
    for K_, q_ in SETTINGS:
        t0 = time.perf_counter()
        row = s_c(K_, q_)
        print(
            f"K={K_} q={q_} x_star={float(x_star_findroot(K_, 20)):.4f} bracket={row.get('bracket')} "
            f"s_c={row['s_c']} certified_at={row.get('certified_at')}: {row['certified']} "
            f"(competitor {row.get('competitor_ball')} < ETF {row.get('etf_ball')}) {time.perf_counter() - t0:.1f} s",
            flush=True,
        )
