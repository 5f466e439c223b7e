"""Core types of the data package: the error, signatures, datasets and task descriptions.

Invariants:
- A `Dataset`'s tensors always agree with its `DataSignature` (checked on construction), so
  code downstream may trust the signature instead of inspecting tensors.
- Every `DataError` message is written for the person using the app: it names the setting or
  the file (and row/column) concerned and says what to do about it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import UserError
from ..params import Param

if TYPE_CHECKING:  # torch loads only when data is generated: the window validates without it
    import torch

INPUT_KINDS = ("sequence", "tokens")
TARGET_KINDS = ("regression", "classification", "tokens")

Params = dict[str, Any]


class DataError(UserError, ValueError):
    """Bad data settings or a bad data file, explained in plain words for a user."""


@dataclass(frozen=True)
class DataSignature:
    """What a model must take and produce for a task; computed without generating data.

    input_kind "sequence" means float features [B, T, F]; "tokens" means int64 ids [B, T].
    target_kind "regression" means float [B, O]; "classification" int64 [B] (one class per
    sequence); "tokens" int64 [B, T] (one token per step). n_outputs is O, the number of
    classes, or the target vocabulary size respectively.
    """

    input_kind: str
    features: int | None
    vocab_size: int | None
    length: int
    target_kind: str
    n_outputs: int
    metric: str | None
    variable_length: bool = False  # sequences are padded to `length` and carry their own lengths

    def __post_init__(self) -> None:
        if self.input_kind not in INPUT_KINDS:
            raise ValueError(f"input_kind must be one of {INPUT_KINDS}, not {self.input_kind!r}")
        if self.target_kind not in TARGET_KINDS:
            raise ValueError(f"target_kind must be one of {TARGET_KINDS}, not {self.target_kind!r}")
        sized = self.features if self.input_kind == "sequence" else self.vocab_size
        if sized is None or sized < 1 or self.length < 1 or self.n_outputs < 1:
            raise ValueError(f"inconsistent signature sizes: {self}")


@dataclass
class Dataset:
    """Training and validation tensors for one task, plus what is needed to judge a model.

    Shapes: sequence x float32 [N, T, F]; tokens x int64 [N, T]; regression y float32 [N, O];
    classification y int64 [N]; tokens y int64 [N, T].

    vocabulary maps token id -> character (token inputs); class_names maps class id -> name
    (classification); target_scaling is (offset, scale) such that a target in the file's own
    units is `y * scale + offset` (regression on normalised user data), else None.
    baseline_loss is the validation loss of a trivial predictor (train-mean MSE for
    regression, cross-entropy of the training class/token frequencies otherwise).
    lengths_train / lengths_val (int64 [N]) are given for variable-length data: sequence i's
    real steps are x[i, :lengths[i]], the rest is padding (padding tokens, zero features,
    IGNORE_INDEX per-step targets); signature.length is then the longest. texts_val holds
    each validation sample's original text (text classification), for showing mistakes.
    forecast (engine.data.forecast_info.ForecastInfo) carries what judging a forecaster
    needs: the way back to the data's units, the truth, the baselines and their times.
    x_train / x_val of a forecast are engine.data.windows.Windows: views, indexed like tensors.
    """

    signature: DataSignature
    x_train: torch.Tensor
    y_train: torch.Tensor
    x_val: torch.Tensor
    y_val: torch.Tensor
    vocabulary: list[str] | None = None
    baseline_loss: float | None = None
    description: str = ""
    class_names: list[str] | None = None
    target_scaling: tuple[float, float] | None = None
    lengths_train: torch.Tensor | None = None
    lengths_val: torch.Tensor | None = None
    texts_val: list[str] | None = None
    forecast: Any = None

    def __post_init__(self) -> None:
        _check_split(self.signature, "train", self.x_train, self.y_train)
        _check_split(self.signature, "val", self.x_val, self.y_val)
        if (self.lengths_train is None) != (self.lengths_val is None):
            raise ValueError("lengths_train and lengths_val must be given together")
        if self.lengths_train is not None:
            from ..packing import check_lengths

            check_lengths("lengths_train", self.lengths_train, len(self.x_train), self.signature.length)
            check_lengths("lengths_val", self.lengths_val, len(self.x_val), self.signature.length)


def _expected_x(sig: DataSignature, n: int) -> tuple[torch.dtype, tuple[int, ...]]:
    import torch

    if sig.input_kind == "sequence":
        return torch.float32, (n, sig.length, sig.features or 0)
    return torch.int64, (n, sig.length)


def _expected_y(sig: DataSignature, n: int) -> tuple[torch.dtype, tuple[int, ...]]:
    import torch

    if sig.target_kind == "regression":
        return torch.float32, (n, sig.n_outputs)
    if sig.target_kind == "classification":
        return torch.int64, (n,)
    return torch.int64, (n, sig.length)


def _check_split(sig: DataSignature, split: str, x: torch.Tensor, y: torch.Tensor) -> None:
    # A mismatch here is a programming error in a task, not a user error: plain ValueError.
    n = int(x.shape[0]) if x.dim() > 0 else -1
    for name, tensor, (dtype, shape) in (
        (f"x_{split}", x, _expected_x(sig, n)),
        (f"y_{split}", y, _expected_y(sig, n)),
    ):
        if tensor.dtype != dtype or tuple(tensor.shape) != shape:
            raise ValueError(f"{name} is {tensor.dtype} {tuple(tensor.shape)}, signature needs {dtype} {shape}")


SignatureFn = Callable[[Params, Path | None], DataSignature]
BuildFn = Callable[[Params, Path | None, int], Dataset]


@dataclass(frozen=True)
class TaskSpec:
    """A data task: its identity, its settings, and how to describe and build its data.

    `signature_fn(params, base_dir)` and `build_fn(params, base_dir, seed)` receive params
    already checked and completed with defaults (see `params.resolve_params`).
    """

    name: str
    title: str
    description: str
    params: tuple[Param, ...]
    signature_fn: SignatureFn = field(repr=False, compare=False)
    build_fn: BuildFn = field(repr=False, compare=False)
    # A task reading a file: its bundled sample (an empty path), and a one-line summary of
    # what the file gives (classes, vocabulary) for the data form; both optional.
    sample: Path | None = field(default=None, repr=False, compare=False)
    summary_fn: Callable[[Params, Path | None], str] | None = field(default=None, repr=False, compare=False)

    def param(self, name: str) -> Param:
        """The parameter called `name` (KeyError if the task has none)."""
        for param in self.params:
            if param.name == name:
                return param
        raise KeyError(name)

    def defaults(self) -> Params:
        """Default value of every parameter, as stored in a project's data settings."""
        return {p.name: list(p.default) if p.type == "columns" else p.default for p in self.params}
