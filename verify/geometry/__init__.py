"""Geometry: simplex ETFs, orthogonal frames, and rotation-invariant measurements with zero-norm guards."""

from verify.geometry.frames import orthogonal_frame, simplex_etf
from verify.geometry.invariants import cosine, gram, norm, pairwise_cosines

__all__ = ["cosine", "gram", "norm", "orthogonal_frame", "pairwise_cosines", "simplex_etf"]
