"""Figures of the claims beyond Fang et al.'s Figure 3 (verify/plot.py): one module per paper."""
