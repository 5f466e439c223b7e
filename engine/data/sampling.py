"""Shared pieces of the built-in generators: seeded random streams, sizes, dataset assembly.

Invariants: generators draw only from the numpy Generators handed out here (never from global
random state), so the same settings and seed give identical tensors; the training and
validation streams are independent, so changing n_train leaves the validation set unchanged
and runs of different sizes are compared on the same data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # torch loads only when data is generated: the window validates without it
    import torch

from .base import DataError, Dataset, DataSignature, Param

Pair = tuple["torch.Tensor", "torch.Tensor"]  # (inputs, targets) of one split

# About 200 MB of float32: larger built-in datasets would make a desktop app crawl or swap.
MAX_ELEMENTS = 50_000_000


def split_generators(seed: int) -> tuple[np.random.Generator, np.random.Generator]:
    """Independent (training, validation) random generators for `seed`."""
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise DataError(f"The data seed must be a whole number of at least 0; got {seed!r}.")
    return np.random.default_rng([seed, 0]), np.random.default_rng([seed, 1])


def sample_count_params(n_train: int, n_val: int) -> tuple[Param, Param]:
    """The n_train / n_val settings every built-in generator shares."""
    return (
        Param(
            "n_train",
            "int",
            n_train,
            1,
            200_000,
            help="Number of training sequences to generate.",
        ),
        Param(
            "n_val",
            "int",
            n_val,
            1,
            50_000,
            help="Number of validation sequences, generated separately from the training ones.",
        ),
    )


def check_size(task: str, n_samples: int, per_sample: int) -> None:
    """DataError if `n_samples` of `per_sample` numbers would use too much memory."""
    total = n_samples * per_sample
    if total > MAX_ELEMENTS:
        megabytes = total * 4 // 1_000_000
        raise DataError(
            f"Task '{task}' with these settings would hold about {megabytes} MB of data "
            f"({n_samples} sequences of {per_sample} numbers each; the limit is "
            f"{MAX_ELEMENTS * 4 // 1_000_000} MB). Lower n_train, n_val or the sequence length."
        )


def float_tensor(array: np.ndarray) -> torch.Tensor:
    """A float32 tensor owning a copy of `array`."""
    import torch

    return torch.from_numpy(np.array(array, dtype=np.float32, order="C", copy=True))


def long_tensor(array: np.ndarray) -> torch.Tensor:
    """An int64 tensor owning a copy of `array`."""
    import torch

    return torch.from_numpy(np.array(array, dtype=np.int64, order="C", copy=True))


def mean_predictor_mse(y_train: torch.Tensor, y_val: torch.Tensor) -> float:
    """Validation MSE of always predicting the training mean of each output."""
    mean = y_train.double().mean(dim=0)
    return float(((y_val.double() - mean) ** 2).mean())


def prior_cross_entropy(y_train: torch.Tensor, y_val: torch.Tensor, n_classes: int) -> float:
    """Validation cross-entropy of predicting the training class (or token) frequencies.

    Add-one smoothing keeps a class never seen in training from giving an infinite loss.
    For balanced classes this is about log(n_classes); for tokens, the unigram entropy.
    """
    import torch

    counts = torch.bincount(y_train.reshape(-1), minlength=n_classes).double() + 1.0
    log_prior = torch.log(counts / counts.sum())
    return float(-log_prior[y_val.reshape(-1)].mean())


def baseline_loss(sig: DataSignature, y_train: torch.Tensor, y_val: torch.Tensor) -> float:
    """The trivial predictor's validation loss for the signature's kind of target."""
    if sig.target_kind == "regression":
        return mean_predictor_mse(y_train, y_val)
    return prior_cross_entropy(y_train, y_val, sig.n_outputs)


def make_dataset(
    sig: DataSignature,
    train: Pair,
    val: Pair,
    **extra: Any,
) -> Dataset:
    """A Dataset from (x, y) pairs with its baseline loss filled in."""
    baseline = baseline_loss(sig, train[1], val[1])
    return Dataset(sig, train[0], train[1], val[0], val[1], baseline_loss=baseline, **extra)
