"""Built-in task: anomaly detection on generated multichannel sensor recordings.

Normal recordings are smooth, correlated channels plus noise. About `anomaly_rate` of them
get one anomaly in one channel over a short span: a spike, a level shift, or a dropout
(the channel sticks at one value). Labels are 0 = normal, 1 = anomaly, or with
`classify_type` 1/2/3 = spike/shift/dropout.
"""

from __future__ import annotations

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

KINDS = ("normal", "spike", "shift", "dropout")


def _signature(p: Params, base_dir: Path | None) -> DataSignature:
    classes = 4 if p["classify_type"] else 2
    return DataSignature("sequence", p["channels"], None, p["length"], "classification", classes, "accuracy")


def normal_recordings(rng: np.random.Generator, n: int, length: int, channels: int, noise: float) -> np.ndarray:
    """[n, T, C] smooth correlated signals plus Gaussian noise."""
    # Channels mix two shared slow rhythms, as sensors watching one process would.
    t = np.arange(length)[None, None, :]
    freq = rng.uniform(0.5, 3.0, size=(n, 2, 1)) / length  # 0.5-3 cycles per recording
    phase = rng.uniform(0.0, 2 * np.pi, size=(n, 2, 1))
    rhythms = np.sin(2 * np.pi * freq * t + phase)  # [n, 2, T]
    mix = rng.standard_normal((n, channels, 2))
    mix /= np.linalg.norm(mix, axis=2, keepdims=True)
    level = rng.normal(0.0, 0.5, size=(n, 1, channels))
    signals = np.einsum("nck,nkt->ntc", mix, rhythms) + level
    return signals + noise * rng.standard_normal((n, length, channels))


def inject_anomalies(rng: np.random.Generator, x: np.ndarray, kinds: np.ndarray) -> None:
    """Apply anomaly kinds[i] (0 = none, else index into KINDS) to recording x[i], in place."""
    n, length, channels = x.shape
    rows, t = np.arange(n), np.arange(length)[None, :]
    channel = rng.integers(0, channels, size=n)
    # Spans of 8-20% of the recording: short, yet long enough to tell a dropout from noise.
    span = np.minimum(rng.integers(max(2, length // 12), max(3, length // 5) + 1, size=n), length)
    start = (rng.random(n) * (length - span + 1)).astype(int)
    sign = rng.choice([-1.0, 1.0], size=n)
    spike = sign * rng.uniform(3.0, 5.0, size=n)
    shift = sign * rng.uniform(1.5, 3.0, size=n)
    in_span = (t >= start[:, None]) & (t < (start + span)[:, None])
    spike_steps = (t >= start[:, None]) & (t < start[:, None] + 2)
    trace = x[rows, :, channel]  # [n, T] copy of each recording's chosen channel
    held = trace[rows, start]
    trace += ((kinds == 1)[:, None] & spike_steps) * spike[:, None]
    trace += ((kinds == 2)[:, None] & in_span) * shift[:, None]
    trace = np.where((kinds == 3)[:, None] & in_span, held[:, None], trace)
    x[rows, :, channel] = trace


def _split(rng: np.random.Generator, n: int, p: Params) -> Pair:
    x = normal_recordings(rng, n, p["length"], p["channels"], p["noise"])
    anomalous = rng.random(n) < p["anomaly_rate"]
    kinds = rng.integers(1, len(KINDS), size=n) * anomalous
    inject_anomalies(rng, x, kinds)
    labels = kinds if p["classify_type"] else (kinds > 0).astype(np.int64)
    return float_tensor(x), long_tensor(labels)


def _build(p: Params, base_dir: Path | None, seed: int) -> Dataset:
    check_size("sensor_anomaly", p["n_train"] + p["n_val"], p["length"] * p["channels"])
    train_rng, val_rng = split_generators(seed)
    names = list(KINDS) if p["classify_type"] else ["normal", "anomaly"]
    return make_dataset(
        _signature(p, base_dir),
        _split(train_rng, p["n_train"], p),
        _split(val_rng, p["n_val"], p),
        class_names=names,
        description=(
            f"Sensor anomalies: {p['channels']} channels over {p['length']} steps; about "
            f"{p['anomaly_rate']:.0%} of recordings hold a spike, level shift or dropout. "
            f"Classes: {', '.join(names)}."
        ),
    )


SENSOR_ANOMALY = TaskSpec(
    name="sensor_anomaly",
    title="Sensor anomaly detection",
    description="Classify multichannel sensor recordings as normal or containing an anomaly.",
    params=(
        *sample_count_params(3000, 500),
        Param("channels", "int", 3, 1, 32, help="Number of sensor channels (features)."),
        Param("length", "int", 60, 10, 2000, help="Time steps per recording."),
        Param(
            "anomaly_rate",
            "float",
            0.5,
            0.0,
            1.0,
            help="Fraction of recordings (on average) that contain an anomaly.",
        ),
        Param(
            "classify_type",
            "bool",
            False,
            help="Off: 2 classes (normal, anomaly). On: 4 classes (normal, spike, shift, dropout).",
        ),
        Param(
            "noise",
            "float",
            0.1,
            0.0,
            1.0,
            help="Standard deviation of the measurement noise on every channel.",
        ),
    ),
    signature_fn=_signature,
    build_fn=_build,
)
