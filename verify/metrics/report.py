"""Every applicable NC metric in one call, from features held in memory or from streamed statistics.

Keys of the report (values: float, or :class:`verify.base.values.Undefined` with the reason; the same keys always):

==============================  =================================================================================
``nc1``                         tr(Sigma_W Sigma_B^+)/K under the ``pinv`` and ``scale`` switches
``nc1_rank``                    the same with the rank-(K-1) truncated inverse (Papyan et al. code)
``nc1_quotient``                tr Sigma_W / tr Sigma_B
``nc1_weak_between``, ``_within`` tr Sigma_B, tr Sigma_W as fractions of their sum (Rangamani et al. 2023)
``cdnv``                        average class-distance normalised variance (Galanti et al. 2022; ``cdnv_ddof``)
``equinorm_means``              CV of the norms of the (centred) class means
``equinorm_classifiers``        CV of the norms of the classifier rows
``equiangularity_means``        mean |cos + 1/(K-1)| over pairs of (centred) class means
``max_equiangularity_means``    max |cos + 1/(K-1)|
``cosine_spread_means``         std of the pairwise cosines
``*_classifiers``               the same three for the classifier rows
``etf_distance_means``          ||G/||G||_F - (I - 11^T/K)/sqrt(K-1)||_F of the (centred) class means
``etf_distance_classifiers``    the same for the classifier rows
``orthogonal_frame_distance``   ||G/||G||_F - I/sqrt(K)||_F of the uncentred class means (Tirer & Bruna)
``hyperspherical_energy_means`` GNC2: Riesz ``energy_s``-energy of the (centred) mean directions
``energy_gap_means``            that energy minus the simplex's (0 at an ETF; Undefined for K > d+1)
``*_classifiers``               the same two for the classifier rows
``self_duality``                ||W/||W||_F - M/||M||_F||_F, M the (centred) class means
``self_duality_uncentred``      the same with uncentred means (Tirer & Bruna's NC3)
``self_duality_dot``            ||W M^T/||W M^T||_F - (I - 11^T/K)/sqrt(K-1)||_F (Zhu et al. code)
``unc3_similarity_variance``    Var_k of w_k.(mu_k - mu_G), ddof 1 (rhubarbwu's UNC3)
``unc3_offdiagonal_cosine``     mean over k < l of cos(w_k, mu_l - mu_G) (nc-toolbox's UNC3)
``global_mean_logit_norm``      ||W mu_G + b|| (Zhu et al. 2021 code)
``nc5_ood_orthogonality``       mean_k |cos(mu_k, mu_G^OOD)| given ``ood_mean=`` (NC5, Ammar et al. 2024)
``nc4_agreement``               fraction where argmax(W h + b) is the nearest class mean (b = 0 if not given)
``nc4_agreement_nobias``        the same without the bias
``nc4_agreement_logits``        the same with the given logits' argmax
``accuracy``                    fraction where the logits' (else W h + b's) argmax is the label
``minority_cosine``             average cosine of pairs of minority classifiers (Fang et al. 2021, Fig. 3)
``nonnegative_orthogonality``   RMS cosine of uncentred class means; features must be >= 0 (Dang et al. 2024)
==============================  =================================================================================

Classifier rows follow ``classes`` (the label of each row; default: the sorted labels present).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from verify.base.errors import InputError
from verify.base.values import Undefined
from verify.metrics import measures as m
from verify.metrics import variants as v
from verify.metrics.arrays import as_labels, as_matrix, as_vector, blas_threads, raw_matrix
from verify.metrics.conventions import Conventions
from verify.metrics.history import Report
from verify.metrics.statistics import ClassStatistics
from verify.metrics.tiles import DEFAULT_TILE, check_tile

NO_CLASSIFIER = Undefined("no classifier W given")
NO_LOGITS = Undefined("no logits given")


def align_classifier(stats: ClassStatistics, W, b, classes) -> tuple[np.ndarray | None, np.ndarray | None]:
    """W (and b) with rows reordered to the statistics' class order (sorted labels)."""
    if W is None:
        if b is not None:
            raise InputError("b given without W", parameter="b", fix="pass W too")
        return None, None
    Wm, _ = as_matrix(W, "W", cols=stats.d)
    bv = None if b is None else as_vector(b, "b", Wm.shape[0])
    rows = stats.classes if classes is None else as_labels(classes, Wm.shape[0])
    if Wm.shape[0] != stats.K or set(rows.tolist()) != set(stats.classes.tolist()):
        missing = sorted(set(rows.tolist()) - set(stats.classes.tolist()))
        raise InputError(
            f"W: {Wm.shape[0]} rows for the {stats.K} classes present in the labels"
            + (f" (classes {missing[:5]} have no samples)" if missing else ""),
            parameter="W",
            fix="every classifier row needs samples of its class; pass classes=[label of each row]",
        )
    order = np.argsort(rows, kind="stable")  # rows sorted by label = the statistics' order
    return Wm[order], None if bv is None else bv[order]


def _minority_rows(stats: ClassStatistics, minority: Sequence | None):
    if minority is not None:
        labels = as_labels(minority, len(minority)) if len(minority) else np.array([], dtype=stats.classes.dtype)
        idx = np.searchsorted(stats.classes, labels)
        bad = [lab for lab, i in zip(labels.tolist(), idx, strict=True) if i >= stats.K or stats.classes[i] != lab]
        if bad:
            raise InputError(
                f"minority: classes {bad[:5]} have no samples", parameter="minority", fix="name seen labels"
            )
        return list(idx)
    sizes = np.unique(stats.counts)
    if sizes.shape[0] != 2:
        return Undefined(f"{sizes.shape[0]} distinct class sizes: name the minority classes with minority=[...]")
    return list(np.flatnonzero(stats.counts == sizes[0]))


def _family(prefix: str, V, conv: Conventions, zero_rtol: float, names, what: str, d: int, tile: int) -> dict:
    keys = ("equinorm", "equiangularity", "max_equiangularity", "cosine_spread", "etf_distance")
    keys += ("hyperspherical_energy", "energy_gap")
    if V is None:
        return {f"{k}_{prefix}": NO_CLASSIFIER for k in keys}
    out = {f"equinorm_{prefix}": m.equinorm(V, ddof=conv.ddof)}
    # one tiled sweep gives the cosine statistics, the energy and the ETF residual (no K x K array)
    ps = m.pair_statistics(V, s=conv.energy_s, zero_rtol=zero_rtol, names=names, what=what, tile=tile, etf=True)
    for key, attr in (("equiangularity", "mean_abs"), ("max_equiangularity", "max_abs"), ("cosine_spread", "spread")):
        out[f"{key}_{prefix}"] = ps if isinstance(ps, Undefined) else getattr(ps, attr)
    # a zero row leaves the cosines undefined, not the ETF distance: then its own sweep
    out[f"etf_distance_{prefix}"] = m.etf_distance(V, tile=tile) if isinstance(ps, Undefined) else ps.etf_residual
    energy = ps if isinstance(ps, Undefined) else ps.energy
    out[f"hyperspherical_energy_{prefix}"] = energy
    K = V.shape[0]
    if isinstance(energy, Undefined):
        out[f"energy_gap_{prefix}"] = energy
    elif K > d + 1:
        out[f"energy_gap_{prefix}"] = Undefined(f"K = {K} > d + 1 = {d + 1}: no simplex, minimal energy unknown")
    else:
        out[f"energy_gap_{prefix}"] = energy - m.simplex_energy(K, conv.energy_s)
    return out


def report_from_statistics(
    stats: ClassStatistics,
    W=None,
    b=None,
    *,
    classes=None,
    minority=None,
    conventions: Conventions | None = None,
    tile: int = DEFAULT_TILE,
    ood_mean=None,
    **switches,
) -> dict:
    """Every metric computable from the statistics (NC4 and accuracy need the samples: Undefined here, filled
    by :func:`collapse_report` or by a second streaming pass). Every K x K quantity is swept in ``tile`` x
    ``tile`` blocks (:mod:`verify.metrics.tiles`): memory O(K d + d^2 + tile^2) whatever K."""
    conv = Conventions.of(conventions, **switches)
    tile = check_tile(tile)
    Wa, ba = align_classifier(stats, W, b, classes)
    rtol = conv.pinv_rtol if conv.pinv_rtol is not None else stats.zero_rtol()
    zero_rtol = stats.zero_rtol()
    names = [f"mu[{c}]" for c in stats.classes.tolist()]
    wnames = [f"w[{c}]" for c in stats.classes.tolist()]
    K, d = stats.K, stats.d
    out = Report()
    if K < 2:
        raise InputError(
            f"labels: {K} class present; neural collapse needs K >= 2", parameter="labels", fix="more classes"
        )
    # NC1: eigenpairs of Sigma_B from the SVD of its factor A (Sigma_B = A^T A), accurate to eps * s_max^2
    A = stats.between_factor(conv)
    # K > d: the singular values of A are those of its d x d triangular factor (no K x d left factor stored)
    _, s, Vt = np.linalg.svd(np.linalg.qr(A, mode="r") if K > d else A, full_matrices=False)
    Sw = stats.sigma_w()
    lam, V = s**2, Vt.T
    out["nc1"] = m._nc1_from_spectrum(Sw, lam, V, K=K, pinv=conv.pinv, scale=conv.scale, rtol=rtol)
    out["nc1_rank"] = m._nc1_from_spectrum(Sw, lam, V, K=K, pinv="rank_K-1", scale=conv.scale, rtol=rtol)
    out["nc1_quotient"] = _quotient(Sw, A)
    trace_w = float(np.trace(Sw))
    weak = v.nc1_weak(trace_w, float(np.einsum("ij,ij->", A, A)))
    del A  # K x d: not held through the K x K sweeps
    variances = stats.class_variances(conv.cdnv_ddof)
    if np.any(np.isnan(variances)):
        lone = names[int(np.flatnonzero(np.isnan(variances))[0])]
        out["cdnv"] = Undefined(f"{lone}: one sample, its n_k - 1 variance (cdnv_ddof=1) is undefined")
    else:
        out["cdnv"] = m.cdnv(
            stats.means, variances, exponent=conv.cdnv_exponent, zero_rtol=zero_rtol, names=names, tile=tile
        )
    for i, key in enumerate(("nc1_weak_between", "nc1_weak_within")):
        out[key] = weak if isinstance(weak, Undefined) else weak[i]
    # NC2
    M = stats.centred_means(conv) if conv.centred else stats.means
    Wc = None if Wa is None else (Wa - Wa.mean(axis=0) if conv.centre_classifiers else Wa)
    out.update(_family("means", M, conv, zero_rtol, names, "class mean", d, tile))
    out.update(_family("classifiers", Wc, conv, zero_rtol, wnames, "classifier row", d, tile))
    out["orthogonal_frame_distance"] = m.orthogonal_frame_distance(stats.means, tile=tile)
    # NC3
    if Wc is None:
        out.update(self_duality=NO_CLASSIFIER, self_duality_uncentred=NO_CLASSIFIER, self_duality_dot=NO_CLASSIFIER)
    else:
        out["self_duality"] = m.self_duality(Wc, M)
        out["self_duality_uncentred"] = m.self_duality(Wc, stats.means)
        # W M^T and the UNC3 cosines cos(w_k, mu_l) from one sweep
        unc3, out["self_duality_dot"] = v.unc3_and_self_duality_dot(
            Wc, M if conv.centred else stats.centred_means(conv), zero_rtol=zero_rtol, tile=tile
        )
    out.update(_variants(stats, conv, Wa, Wc, ba, ood_mean, zero_rtol, names, unc3 if Wc is not None else None))
    # NC4 and accuracy: need the samples
    sample_level = Undefined("needs the samples: collapse_report, or a second pass with CollapseStats.agreement")
    for key in ("nc4_agreement", "nc4_agreement_nobias", "nc4_agreement_logits", "accuracy"):
        out[key] = NO_CLASSIFIER if Wa is None and key != "nc4_agreement_logits" else sample_level
    # imbalanced data
    rows = _minority_rows(stats, minority)
    if Wa is None:
        out["minority_cosine"] = NO_CLASSIFIER
    elif isinstance(rows, Undefined):
        out["minority_cosine"] = rows
    else:
        out["minority_cosine"] = m.minority_cosine(Wa, rows, zero_rtol=zero_rtol, names=wnames, tile=tile)
    if stats.min_entry < 0:
        out["nonnegative_orthogonality"] = Undefined(
            f"features have negative entries (min {stats.min_entry:.3g}): the orthogonal frame of Dang et al. "
            "is a statement about non-negative (ReLU) features"
        )
    else:
        out["nonnegative_orthogonality"] = m.nonnegative_orthogonality(
            stats.means, zero_rtol=zero_rtol, names=names, tile=tile
        )
    return out


def _variants(stats, conv, Wa, Wc, ba, ood_mean, zero_rtol, names, unc3_offdiagonal) -> dict:
    """The keys of :mod:`verify.metrics.variants` (UNC3 both ways, ||W mu_G + b||, NC5); the off-diagonal UNC3
    cosine comes from the NC3 sweep."""
    out = {}
    if ood_mean is None:
        out["nc5_ood_orthogonality"] = Undefined("no ood_mean given (the mean of out-of-distribution features)")
    else:
        out["nc5_ood_orthogonality"] = v.ood_orthogonality(stats.means, ood_mean, zero_rtol=zero_rtol, names=names)
    if Wa is None:
        keys = ("unc3_similarity_variance", "unc3_offdiagonal_cosine", "global_mean_logit_norm")
        return {**out, **dict.fromkeys(keys, NO_CLASSIFIER)}
    M = stats.centred_means(conv)
    out["unc3_similarity_variance"] = v.unc3_similarity_variance(Wc, M)
    out["unc3_offdiagonal_cosine"] = unc3_offdiagonal
    out["global_mean_logit_norm"] = v.global_mean_logit_norm(Wa, ba, stats.global_mean(conv))
    return out


def _quotient(Sw: np.ndarray, A: np.ndarray):
    tb = float(np.einsum("ij,ij->", A, A))  # tr(A^T A) without forming the d x d matrix
    return Undefined("tr Sigma_B = 0: all class means coincide") if tb <= 0 else float(np.trace(Sw)) / tb


def collapse_report(
    features,
    labels,
    W=None,
    b=None,
    *,
    logits=None,
    classes=None,
    minority=None,
    conventions: Conventions | None = None,
    threads: int | None = 1,
    tile: int = DEFAULT_TILE,
    ood_mean=None,
    **switches,
) -> dict:
    """Every applicable NC metric of features (N, d) with labels (N,), optionally classifier rows W (K, d),
    bias b (K,) and the network's logits (N, K); numpy arrays or torch tensors (any device). Keys and
    conventions: the module docstring and :mod:`verify.metrics.conventions`. ``threads``: BLAS threads
    (default 1, see :func:`verify.metrics.arrays.blas_threads`; None for the library default)."""
    with blas_threads(threads):
        return _collapse_report(
            features, labels, W, b, logits, classes, minority, conventions, tile, ood_mean, switches
        )


def _collapse_report(features, labels, W, b, logits, classes, minority, conventions, tile, ood_mean, switches):
    stats = ClassStatistics.from_arrays(features, labels)
    out = report_from_statistics(
        stats,
        W,
        b,
        classes=classes,
        minority=minority,
        conventions=conventions,
        tile=tile,
        ood_mean=ood_mean,
        **switches,
    )
    H = raw_matrix(features, "features")  # checked finite by the statistics; converted chunk-wise below
    y = as_labels(labels, H.shape[0])
    Wa, ba = align_classifier(stats, W, b, classes)
    L = None if logits is None else as_matrix(logits, "logits", rows=H.shape[0], cols=stats.K)[0]
    out.update(sample_metrics(stats, H, y, Wa, ba, L, classes))
    return out


def sample_metrics(stats: ClassStatistics, H, y, Wa, ba, L, classes) -> dict:
    """NC4 agreements and accuracy of samples H (labels y) against the statistics' class means."""
    counts = agreement_tallies(stats.means, stats.classes, H, y, Wa, ba, L, classes)
    return tallies_to_report(counts, Wa is not None, L is not None)


def agreement_tallies(means, class_values, H, y, Wa, ba, L, classes) -> dict[str, int]:
    """Integer tallies (mergeable across shards) behind the NC4 and accuracy keys; H is converted to float64
    a chunk of rows at a time."""
    tally = {"n": int(H.shape[0])}
    bias = np.zeros(means.shape[0]) if ba is None else ba
    # logit columns follow ``classes`` (default: sorted labels); reorder them to the sorted class order
    cols = None if L is None else (slice(None) if classes is None else np.argsort(as_labels(classes, L.shape[1])))
    step = m.rows_per_chunk(means.shape[0])
    for start in range(0, H.shape[0], step):
        h = np.asarray(H[start : start + step], dtype=np.float64)
        yc = y[start : start + step]
        parts = {}
        if Wa is not None:
            scores = h @ Wa.T
            parts["nc4_nobias"] = m.agreement_counts(h, means, scores)
            parts["nc4"] = m.agreement_counts(h, means, scores + bias)
            parts["correct_W"] = _correct(scores + bias, yc, class_values)
        if L is not None:
            lc = L[start : start + step][:, cols]
            parts["nc4_logits"] = m.agreement_counts(h, means, lc)
            parts["correct_logits"] = _correct(lc, yc, class_values)
        for k, n in parts.items():
            tally[k] = tally.get(k, 0) + n
    for k in (("nc4", "nc4_nobias", "correct_W") if Wa is not None else ()) + (
        ("nc4_logits", "correct_logits") if L is not None else ()
    ):
        tally.setdefault(k, 0)
    return tally


def _correct(scores: np.ndarray, y: np.ndarray, class_values: np.ndarray) -> int:
    return int(np.count_nonzero(class_values[np.argmax(scores, axis=1)] == y))


def tallies_to_report(t: dict[str, int], has_W: bool, has_logits: bool) -> dict:
    n = t["n"]
    out = {
        "nc4_agreement": t["nc4"] / n if has_W else NO_CLASSIFIER,
        "nc4_agreement_nobias": t["nc4_nobias"] / n if has_W else NO_CLASSIFIER,
        "nc4_agreement_logits": t["nc4_logits"] / n if has_logits else NO_LOGITS,
    }
    if has_logits:
        out["accuracy"] = t["correct_logits"] / n
    else:
        out["accuracy"] = t["correct_W"] / n if has_W else NO_CLASSIFIER
    return out
