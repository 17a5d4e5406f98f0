"""Thrampoulidis, Kini, Vakilian, Behnia, 'Imbalance Trouble: Revisiting Neural-Collapse Geometry', NeurIPS 2022
(arXiv 2208.05512; SELI), with Ji, Lu, Zhang, Deng, Su, 'An Unconstrained Layer-Peeled Perspective on Neural
Collapse', ICLR 2022 (arXiv 2110.02796; the max-margin program as the limit of unregularised cross-entropy).
THEOREMS-NEXT.md family C; the papers are not among the seeds: statements reconstructed."""

PAPER = (
    "Thrampoulidis, Kini, Vakilian, Behnia, 'Imbalance Trouble: Revisiting Neural-Collapse Geometry', NeurIPS 2022 "
    "(arXiv 2208.05512); program of Ji, Lu, Zhang, Deng, Su, ICLR 2022 (arXiv 2110.02796)"
)
