"""An nc-verify user project: the penalised twin of Fang et al. 2021, Theorem 1 (claim ``penalised.thm1``)."""
