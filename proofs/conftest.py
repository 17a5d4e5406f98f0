"""Runs every Markdown derivation in proofs/ as a test, with the public machinery users enable for their own
documents (:func:`verify.authoring.docs.sybil`, docs/authoring.md): each ```python block executes, in order, in one
namespace per document; a failing assertion or :mod:`verify.authoring.derive` step fails the proof."""

from verify.authoring.docs import sybil

pytest_collect_file = sybil(patterns=["*.md"]).pytest()
