"""Dang, Tran, Nguyen, Ho, 'Neural Collapse for Cross-entropy Class-Imbalanced Learning with Unconstrained ReLU
Feature Model', ICML 2024."""

PAPER = (
    "Dang, Tran, Nguyen, Ho, 'Neural Collapse for Cross-entropy Class-Imbalanced Learning with Unconstrained ReLU "
    "Feature Model', ICML 2024"
)
SEEDS = ("002_d6df5552efe49640.txt",)
