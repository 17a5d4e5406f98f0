"""Independent numerical solvers.

A solver sees a problem (objective, gradient, constraints), never a claim's answer: nothing here imports
``verify.claims``. The catalogue pairs each claim with the solver that checks it.
"""

from verify.solvers.kkt_refine import KKTPoint, refine_kkt
from verify.solvers.multistart import MultistartResult, multistart
from verify.solvers.problem import ConstrainedProblem

__all__ = ["ConstrainedProblem", "KKTPoint", "MultistartResult", "multistart", "refine_kkt"]
