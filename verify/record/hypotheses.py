"""Hypotheses shared by many claims, stated once (each names its parameter and the fix).

Claim-specific conditions (``tau > 0``, ``q != 2``, ``p >= 2K``, a threshold on sqrt(E_H E_W)) stay in their
claim modules; these are the ones the Layer-Peeled Model papers repeat in every statement.
"""

from __future__ import annotations

from verify.record import Hypothesis

TWO_CLASSES = Hypothesis("K >= 2", lambda v: v["K"] >= 2, "K", "use at least two classes")
ONE_SAMPLE_PER_CLASS = Hypothesis("n >= 1", lambda v: v["n"] >= 1, "n", "give at least one sample per class")
ETF_DIMENSION = Hypothesis(
    "p >= K - 1", lambda v: v["p"] >= v["K"] - 1, "p", "raise p to at least K-1 (an ETF needs K-1 dimensions)"
)
FEATURE_BUDGET = Hypothesis("E_H > 0", lambda v: v["E_H"] > 0, "E_H", "give a positive feature budget")
CLASSIFIER_BUDGET = Hypothesis("E_W > 0", lambda v: v["E_W"] > 0, "E_W", "give a positive classifier budget")
