"""Figures of the papers' experiments, one module per paper (``nc-verify plot`` dispatches by claim id)."""
