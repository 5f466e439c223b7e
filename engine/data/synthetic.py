"""Built-in generated tasks: sine forecasting, the adding problem and the copy task.

Each task is a TaskSpec whose signature needs no data, and whose builder draws training and
validation sets from the independent seeded streams of `sampling.split_generators`.
"""

from __future__ import annotations

import string
from pathlib import Path

import numpy as np

from .base import Dataset, DataSignature, Param, Params, TaskSpec
from .sampling import (
    Pair,
    check_size,
    float_tensor,
    long_tensor,
    make_dataset,
    sample_count_params,
    split_generators,
)

# --- sine forecasting -------------------------------------------------------------------


def _sine_signature(p: Params, base_dir: Path | None) -> DataSignature:
    return DataSignature("sequence", 1, None, p["window"], "regression", p["horizon"], None)


def sine_series(rng: np.random.Generator, n: int, steps: int, components: int, noise: float) -> np.ndarray:
    """[n, steps] series, each a sum of 1..components sines plus Gaussian noise."""
    count = rng.integers(1, components + 1, size=n)
    active = np.arange(components)[None, :] < count[:, None]  # [n, C]
    # Periods of 10-100 steps: a default 40-step window shows a good part of a cycle.
    freq = rng.uniform(0.01, 0.1, size=(n, components))
    phase = rng.uniform(0.0, 2 * np.pi, size=(n, components))
    amp = rng.uniform(0.3, 1.0, size=(n, components)) * active
    amp /= amp.sum(axis=1, keepdims=True)  # keeps every series within [-1, 1] before noise
    t = np.arange(steps)[None, None, :]
    waves = amp[..., None] * np.sin(2 * np.pi * freq[..., None] * t + phase[..., None])
    return waves.sum(axis=1) + noise * rng.standard_normal((n, steps))


def _sine_split(rng: np.random.Generator, n: int, p: Params) -> Pair:
    window, horizon = p["window"], p["horizon"]
    series = sine_series(rng, n, window + horizon, p["components"], p["noise"])
    return float_tensor(series[:, :window, None]), float_tensor(series[:, window:])


def _build_sine(p: Params, base_dir: Path | None, seed: int) -> Dataset:
    check_size("sine", p["n_train"] + p["n_val"], p["window"] + p["horizon"])
    train_rng, val_rng = split_generators(seed)
    sig = _sine_signature(p, base_dir)
    return make_dataset(
        sig,
        _sine_split(train_rng, p["n_train"], p),
        _sine_split(val_rng, p["n_val"], p),
        description=(
            f"Sine forecasting: from {p['window']} past values of a noisy sum of up to "
            f"{p['components']} sines, predict the next {p['horizon']}."
        ),
    )


SINE = TaskSpec(
    name="sine",
    title="Sine-wave forecasting",
    description="Predict the next values of a noisy sum of sine waves from a window of past values.",
    params=(
        *sample_count_params(3000, 500),
        Param("window", "int", 40, 2, 1000, help="Time steps the model sees per sample."),
        Param("horizon", "int", 1, 1, 100, help="How many following values to predict."),
        Param(
            "components",
            "int",
            3,
            1,
            5,
            help="Each series sums between 1 and this many sines of random frequency and phase.",
        ),
        Param(
            "noise",
            "float",
            0.05,
            0.0,
            1.0,
            help="Standard deviation of the Gaussian noise added to every value.",
        ),
    ),
    signature_fn=_sine_signature,
    build_fn=_build_sine,
)

# --- adding problem ---------------------------------------------------------------------


def _adding_signature(p: Params, base_dir: Path | None) -> DataSignature:
    return DataSignature("sequence", 2, None, p["length"], "regression", 1, None)


def adding_samples(rng: np.random.Generator, n: int, length: int) -> Pair:
    """(x [n, T, 2], y [n, 1]): random values, two markers, target the marked values' sum."""
    values = rng.random((n, length))
    half = length // 2
    # One marker in each half, so the first one must be remembered across at least T/2 steps.
    first = rng.integers(0, half, size=n)
    second = rng.integers(half, length, size=n)
    rows = np.arange(n)
    markers = np.zeros((n, length))
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    target = values[rows, first] + values[rows, second]
    return float_tensor(np.stack([values, markers], axis=-1)), float_tensor(target[:, None])


def _build_adding(p: Params, base_dir: Path | None, seed: int) -> Dataset:
    check_size("adding", p["n_train"] + p["n_val"], 2 * p["length"])
    train_rng, val_rng = split_generators(seed)
    return make_dataset(
        _adding_signature(p, base_dir),
        adding_samples(train_rng, p["n_train"], p["length"]),
        adding_samples(val_rng, p["n_val"], p["length"]),
        description=(
            f"Adding problem over {p['length']} steps: output the sum of the two values marked "
            "in channel 1. Always answering 1.0 scores an MSE of about 0.167."
        ),
    )


ADDING = TaskSpec(
    name="adding",
    title="Adding problem",
    description="Sum the two marked numbers in a long sequence: a classic long-memory test.",
    params=(
        *sample_count_params(4000, 500),
        Param(
            "length",
            "int",
            50,
            2,
            2000,
            help="Sequence length; longer sequences need longer memory (plain RNNs fail past ~100).",
        ),
    ),
    signature_fn=_adding_signature,
    build_fn=_build_adding,
)

# --- copy task --------------------------------------------------------------------------

BLANK, GO = 0, 1  # symbol ids start at 2


def _copy_length(p: Params) -> int:
    return 2 * p["digits"] + p["delay"] + 1


def _copy_signature(p: Params, base_dir: Path | None) -> DataSignature:
    vocab = p["symbols"] + 2
    return DataSignature("tokens", None, vocab, _copy_length(p), "tokens", vocab, "accuracy")


def copy_vocabulary(symbols: int) -> list[str]:
    """Token id -> display character: blank, go marker, then the letters used as symbols."""
    return ["_", ">"] + list(string.ascii_uppercase[:symbols])


def copy_samples(rng: np.random.Generator, n: int, p: Params) -> Pair:
    """(x [n, T], y [n, T]): symbols, delay blanks, go, blanks; target repeats the symbols last."""
    digits, length = p["digits"], _copy_length(p)
    symbols = rng.integers(2, p["symbols"] + 2, size=(n, digits))
    x = np.full((n, length), BLANK)
    x[:, :digits] = symbols
    x[:, digits + p["delay"]] = GO
    y = np.full((n, length), BLANK)
    y[:, length - digits :] = symbols
    return long_tensor(x), long_tensor(y)


def _build_copy(p: Params, base_dir: Path | None, seed: int) -> Dataset:
    check_size("copy", p["n_train"] + p["n_val"], 2 * _copy_length(p))
    train_rng, val_rng = split_generators(seed)
    return make_dataset(
        _copy_signature(p, base_dir),
        copy_samples(train_rng, p["n_train"], p),
        copy_samples(val_rng, p["n_val"], p),
        vocabulary=copy_vocabulary(p["symbols"]),
        description=(
            f"Copy task: read {p['digits']} symbols, wait {p['delay']} blank steps, then after "
            "the go marker '>' write the symbols back in order."
        ),
    )


COPY = TaskSpec(
    name="copy",
    title="Copy (memory) task",
    description="Remember a short string of symbols across a delay and write it back on cue.",
    params=(
        *sample_count_params(4000, 500),
        Param("digits", "int", 5, 1, 50, help="How many symbols to remember."),
        Param("symbols", "int", 8, 2, 26, help="Alphabet size the symbols are drawn from."),
        Param(
            "delay",
            "int",
            10,
            0,
            1000,
            help="Blank steps between the symbols and the go marker: the memory span needed.",
        ),
    ),
    signature_fn=_copy_signature,
    build_fn=_build_copy,
)
