"""The penalised imbalanced cross-entropy UFM with two class sizes (THEOREMS-NEXT.md, family F), attributed to
Hong & Ling 2023 (arXiv 2309.09725), whose model also has a penalised bias. Reconstructed: the paper is not in
../shared/seeds/, and every statement here is derived again in proofs/ and checked against independent solves."""

PAPER = (
    "Hong, Ling, 'Neural Collapse for Unconstrained Feature Model under Cross-entropy Loss with Imbalanced Data', "
    "arXiv 2309.09725, 2023 (statements reconstructed in THEOREMS-NEXT.md, family F; the paper's model adds a "
    "penalised bias, absent here)"
)
SEEDS = ()
