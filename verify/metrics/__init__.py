"""Neural-collapse metrics researchers can trust on their own networks, at any size.

NC1-NC4 and their variants as pure functions (:mod:`verify.metrics.measures`), every convention a named
switch (:mod:`verify.metrics.conventions`, mapped to public implementations in docs/metrics.md), statistics
accumulated in float64 whatever the input dtype, and a one-pass, mergeable accumulator for data that does
not fit in memory (:class:`CollapseStats`). numpy core; torch tensors (any device) are accepted by duck
typing, never imported. Degenerate cases (a zero class mean or classifier row) are
:class:`verify.base.values.Undefined` with the reason.

    >>> report = collapse_report(features, labels, W, b)          # doctest: +SKIP
    >>> stats = CollapseStats(); stats.update(H_batch, y_batch)    # doctest: +SKIP
"""

from verify.metrics.conventions import (
    PAPYAN_2020_CODE,
    SAMPLE_WEIGHTED,
    TIRER_BRUNA_2022,
    ZHU_2021_CODE,
    Conventions,
)
from verify.metrics.measures import (
    Equiangularity,
    cdnv,
    equiangularity,
    equinorm,
    etf_distance,
    hyperspherical_energy,
    minority_cosine,
    nc1,
    nc1_quotient,
    ncc_agreement,
    nonnegative_orthogonality,
    orthogonal_frame_distance,
    pairwise_cosines,
    self_duality,
    self_duality_dot,
    simplex_energy,
)
from verify.metrics.report import collapse_report, report_from_statistics
from verify.metrics.statistics import ClassStatistics
from verify.metrics.streaming import AgreementPass, CollapseStats

__all__ = [
    "PAPYAN_2020_CODE",
    "SAMPLE_WEIGHTED",
    "TIRER_BRUNA_2022",
    "ZHU_2021_CODE",
    "AgreementPass",
    "ClassStatistics",
    "CollapseStats",
    "Conventions",
    "Equiangularity",
    "cdnv",
    "collapse_report",
    "equiangularity",
    "equinorm",
    "etf_distance",
    "hyperspherical_energy",
    "minority_cosine",
    "nc1",
    "nc1_quotient",
    "ncc_agreement",
    "nonnegative_orthogonality",
    "orthogonal_frame_distance",
    "pairwise_cosines",
    "report_from_statistics",
    "self_duality",
    "self_duality_dot",
    "simplex_energy",
]
