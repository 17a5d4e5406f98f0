"""Data for the network tier: nothing is downloaded at run time (not on a GPU machine either).

Three sources, each seeded and returned with an explicit class-size vector ``n = (n_1, ..., n_K)``:

- :func:`digits`: scikit-learn's 8x8 digits (bundled with the package; 10 classes, at most 174-183 images each);
- :func:`gaussian_mixture`: K Gaussian clusters in R^dim;
- :func:`synthetic_images`: an image-like set for a CNN (class templates of smooth random colour patterns, plus
  noise, random shifts and colour jitter), C x S x S, large enough for a GPU (10 x 5000 of 3 x 32 x 32).

Class sizes: :func:`two_sizes` builds Fang et al.'s two-size imbalance (K_A classes of n_A, K_B of n_A/R;
seed 001 Section 4B), :func:`oversample` repeats the minority samples w_r times (Section 5, Eq. (17)).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from verify.base.errors import InputError


@dataclass(frozen=True)
class Dataset:
    name: str
    X: np.ndarray  # (N, d) or (N, C, S, S) float32/float64
    y: np.ndarray  # (N,) int64 in 0..K-1
    K: int
    sizes: tuple[int, ...]  # distinct samples per class (before oversampling)
    weights: tuple[float, ...] = ()  # oversampling rate per class (1 = not oversampled); empty = all 1

    @property
    def rates(self) -> tuple[float, ...]:
        return self.weights or (1.0,) * self.K


def two_sizes(K_A: int, K_B: int, n_A: int, R: float) -> tuple[int, ...]:
    """(n_A,)*K_A + (n_B,)*K_B with n_B = round(n_A / R) >= 1 (Fang et al. 2021, Section 4B)."""
    if K_A < 1 or K_B < 1:
        raise InputError(f"K_A = {K_A}, K_B = {K_B}", parameter="K_A", fix="two-size imbalance needs K_A, K_B >= 1")
    if R < 1:
        raise InputError(f"R = {R} < 1", parameter="R", fix="the imbalance ratio n_A/n_B is >= 1")
    n_B = max(1, round(n_A / R))
    return (n_A,) * K_A + (n_B,) * K_B


def _check_sizes(sizes: Sequence[int], available: Sequence[int] | None = None) -> tuple[int, ...]:
    sizes = tuple(int(s) for s in sizes)
    if len(sizes) < 2 or min(sizes) < 1:
        raise InputError(f"sizes = {list(sizes)}", parameter="sizes", fix="give K >= 2 class sizes, each >= 1")
    if available is not None:
        for k, (s, a) in enumerate(zip(sizes, available, strict=False)):
            if s > a:
                raise InputError(
                    f"sizes[{k}] = {s} but the data set has {a} samples of class {k}",
                    parameter="sizes",
                    fix=f"use at most {a}",
                )
    return sizes


def _pick(y_all: np.ndarray, sizes: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    return np.concatenate([rng.choice(np.flatnonzero(y_all == k), s, replace=False) for k, s in enumerate(sizes)])


def digits(sizes: Sequence[int], seed: int = 0) -> Dataset:
    """scikit-learn's 8x8 digits, ``sizes[k]`` images of class k (K = len(sizes) <= 10), pixels in [0,1] centred."""
    from sklearn.datasets import load_digits

    data = load_digits()
    if len(sizes) > 10:
        raise InputError(f"{len(sizes)} classes", parameter="sizes", fix="digits has 10 classes")
    sizes = _check_sizes(sizes, [int((data.target == k).sum()) for k in range(len(sizes))])
    idx = _pick(data.target, sizes, np.random.default_rng(seed))
    X = data.data[idx] / 16.0
    return Dataset("digits", X - X.mean(axis=0), data.target[idx].astype(np.int64), len(sizes), sizes)


def gaussian_mixture(sizes: Sequence[int], dim: int = 32, separation: float = 1.0, seed: int = 0) -> Dataset:
    """K Gaussian clusters with random centres N(0, separation^2 I) and unit noise in R^dim."""
    sizes = _check_sizes(sizes)
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(len(sizes), dim)) * separation
    y = np.repeat(np.arange(len(sizes)), sizes)
    return Dataset("gaussian", centres[y] + rng.normal(size=(len(y), dim)), y.astype(np.int64), len(sizes), sizes)


def _smooth_field(rng: np.random.Generator, channels: int, size: int, cutoff: int) -> np.ndarray:
    """A random colour pattern with only spatial frequencies below ``cutoff`` (unit standard deviation)."""
    spec = rng.normal(size=(channels, size, size)) + 1j * rng.normal(size=(channels, size, size))
    f = np.fft.fftfreq(size) * size
    mask = (np.abs(f)[:, None] <= cutoff) & (np.abs(f)[None, :] <= cutoff)
    field = np.fft.ifft2(spec * mask).real
    return (field - field.mean()) / field.std()


def synthetic_images(
    sizes: Sequence[int],
    image_size: int = 32,
    channels: int = 3,
    noise: float = 0.6,
    shift: int = 3,
    jitter: float = 0.3,
    seed: int = 0,
) -> Dataset:
    """A generated image set: per class a smooth random template; each image is the template rolled by a random
    shift in [-shift, shift]^2, each channel scaled by 1 + jitter*N(0,1) (colour jitter), plus N(0, noise^2)
    pixel noise. float32, shape (N, channels, image_size, image_size)."""
    sizes = _check_sizes(sizes)
    rng = np.random.default_rng(seed)
    templates = np.stack([_smooth_field(rng, channels, image_size, 3) for _ in sizes]).astype(np.float32)
    y = np.repeat(np.arange(len(sizes)), sizes)
    X = np.empty((len(y), channels, image_size, image_size), dtype=np.float32)
    for start in range(0, len(y), 4096):  # in chunks: 50 000 images are 600 MB in float32
        stop = min(start + 4096, len(y))
        for j in range(start, stop):
            dx, dy = rng.integers(-shift, shift + 1, size=2)
            X[j] = np.roll(templates[y[j]], (int(dx), int(dy)), axis=(1, 2))
        X[start:stop] *= (1 + jitter * rng.normal(size=(stop - start, channels, 1, 1))).astype(np.float32)
        X[start:stop] += noise * rng.normal(size=(stop - start, channels, image_size, image_size)).astype(np.float32)
    return Dataset("images", X, y.astype(np.int64), len(sizes), sizes)


def oversample(data: Dataset, rates: Sequence[float]) -> Dataset:
    """Repeat every sample of class k ``rates[k]`` times (integer rates; Fang et al. 2021 Eq. (17))."""
    if len(rates) != data.K or any(r < 1 or int(r) != r for r in rates):
        raise InputError(f"rates = {list(rates)}", parameter="w_r", fix=f"give {data.K} integer rates >= 1")
    reps = np.asarray([int(rates[k]) for k in data.y])
    idx = np.repeat(np.arange(len(data.y)), reps)
    return Dataset(data.name, data.X[idx], data.y[idx], data.K, data.sizes, tuple(float(r) for r in rates))


def load(spec: dict, seed: int) -> Dataset:
    """A data set from a configuration table: kind (digits | gaussian | images), class sizes (``sizes``, or
    ``classes`` x ``per_class``, or the two-size ``K_A``, ``K_B``, ``n_A``, ``R``), optional ``oversample``
    (w_r, applied to the K_B minority classes) and the generator's own options."""
    spec = dict(spec)
    kind = spec.pop("kind", "gaussian")
    w_r = spec.pop("oversample", 1)
    if "sizes" in spec:
        sizes = tuple(spec.pop("sizes"))
    elif "R" in spec:
        sizes = two_sizes(spec.pop("K_A"), spec.pop("K_B"), spec.pop("n_A"), spec.pop("R"))
    else:
        sizes = (int(spec.pop("per_class")),) * int(spec.pop("classes"))
    loaders = {"digits": digits, "gaussian": gaussian_mixture, "images": synthetic_images}
    if kind not in loaders:
        raise InputError(f"data.kind = {kind!r}", parameter="data.kind", fix=f"use one of {', '.join(loaders)}")
    try:
        data = loaders[kind](sizes, seed=seed, **spec)
    except TypeError as exc:
        raise InputError(f"data: {exc}", parameter="data", fix="see verify/nets/data.py for the options") from None
    if w_r != 1:
        n_A = max(sizes)
        data = oversample(data, [1 if s == n_A else w_r for s in sizes])
    return data
