"""Zhou, You, Li, Liu, Liu, Qu, Zhu, 'Are All Losses Created Equal: A Neural Collapse Perspective', NeurIPS 2022
(arXiv 2210.02192). The paper is not among the seeds: statements are those of ../shared/THEOREMS-NEXT.md,
section D (reconstructed; the closed forms are derived there), derived again in proofs/."""

PAPER = (
    "Zhou, You, Li, Liu, Liu, Qu, Zhu, 'Are All Losses Created Equal: A Neural Collapse Perspective', "
    "NeurIPS 2022 (arXiv 2210.02192)"
)
