"""The network tier: train real networks and measure their last-layer geometry (needs the ``nets`` extra).

Fang et al. (2021) derive neural collapse from the Layer-Peeled Model; Papyan, Han & Donoho (2020) observe it
in trained networks. This package trains small classifiers on data shipped inside packages (scikit-learn's
digits) or generated data, and measures NC1-NC3 with :mod:`verify.geometry.collapse` (numpy) so the tests
can hold the measured geometry against Theorem 1's prediction. It is the only part of ``verify`` that
imports torch; nothing in the core imports it.

Install with ``python -m pip install -e ".[nets]"`` (torch pinned so that pip takes the CPU wheel here).
"""

from __future__ import annotations


def require_torch():
    """Import torch, or fail with one line naming the extra to install."""
    try:
        import torch
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError(
            'the network tier needs torch: python -m pip install -e ".[nets]" (pins the CPU wheel)'
        ) from None
    return torch
