"""nc-verify: the theorems of neural-collapse theory as executable, checked objects.

Each claim of the papers is a :class:`verify.claim.Claim` (closed form in sympy, hypotheses, tolerances)
paired with an independent numerical solve; :func:`verify.checking.check_claim` compares the two.
"""

__version__ = "0.1.0"
