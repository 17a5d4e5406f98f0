"""Optimisation problems of the papers: objective, constraints and the normalisation convention.

Models never import claims: they state a problem, never its answer.
"""

from verify.models.arith import FLOAT, Arithmetic, mp_arithmetic
from verify.models.layer_peeled import LayerPeeledModel
from verify.models.losses import CrossEntropy, Loss

__all__ = ["FLOAT", "Arithmetic", "CrossEntropy", "LayerPeeledModel", "Loss", "mp_arithmetic"]
