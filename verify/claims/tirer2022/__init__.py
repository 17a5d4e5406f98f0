"""Tirer, Bruna, 'Extended Unconstrained Features Model for Exploring Deep Neural Collapse', ICML 2022."""

PAPER = "Tirer, Bruna, 'Extended Unconstrained Features Model for Exploring Deep Neural Collapse', ICML 2022"
SEEDS = ("003_a2c591b6d8465d5c.txt",)
