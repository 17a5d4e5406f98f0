"""Zhu, Ding, Zhou, Li, You, Sulam, Qu, 'A Geometric Analysis of Neural Collapse with Unconstrained Features',
NeurIPS 2021 (arXiv 2105.02375). The paper is not among the seeds: statements are those of
../shared/THEOREMS-NEXT.md, section A (reconstructed; theorem numbers unconfirmed), derived again in proofs/."""

PAPER = (
    "Zhu, Ding, Zhou, Li, You, Sulam, Qu, 'A Geometric Analysis of Neural Collapse with Unconstrained Features', "
    "NeurIPS 2021 (arXiv 2105.02375)"
)
SEEDS = ()
