"""Fang, He, Long, Su, 'Exploring deep neural networks via Layer-Peeled Model', PNAS 118(43) 2021."""

PAPER = "Fang, He, Long, Su, 'Exploring deep neural networks via Layer-Peeled Model: Minority Collapse in imbalanced training', PNAS 118(43), 2021"
SEEDS = ("000_b9158f417c539f75.txt", "001_fc7a12039fa96bf5.txt")
