"""Yaras, Wang, Zhu, Balzano, Qu, 'Neural Collapse with Normalized Features: A Geometric Analysis over the
Riemannian Manifold', NeurIPS 2022 (arXiv 2209.09211). THEOREMS-NEXT.md family E; the paper is not among the
seeds: statements reconstructed, theorem numbers unconfirmed."""

PAPER = (
    "Yaras, Wang, Zhu, Balzano, Qu, 'Neural Collapse with Normalized Features: A Geometric Analysis over the "
    "Riemannian Manifold', NeurIPS 2022 (arXiv 2209.09211)"
)
