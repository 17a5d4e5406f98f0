"""Dang, Tran, Osher, Tran-The, Ho, Nguyen, 'Neural Collapse in Deep Linear Networks: From Balanced to Imbalanced
Data', ICML 2023 (arXiv 2301.00437): imbalanced MSE, bias-free, one layer and deep linear (THEOREMS-NEXT.md,
family B; the paper is not among the seeds: statements reconstructed, theorem numbers unconfirmed)."""

PAPER = (
    "Dang, Tran, Osher, Tran-The, Ho, Nguyen, 'Neural Collapse in Deep Linear Networks: From Balanced to Imbalanced "
    "Data', ICML 2023 (arXiv 2301.00437)"
)
