"""A generated long-format table of pen gestures: one row per time step, sequences of
different lengths, one label per sequence.

Each gesture is a circle, a zigzag or a spiral drawn in the plane with noise; a slower hand
takes more steps (12 to 48), so lengths vary within every class and give the class away only
weakly. Columns: sequence (the id), time (the step), x, y, pressure and label (the shape).
The bundled sample resources/data/sample_gestures.csv is `write_gestures(path)`.

Run `python -m engine.data.gesture_corpus PATH [SEQUENCES] [SEED]` to write another.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import numpy as np

SHAPES = ("circle", "zigzag", "spiral")
HEADER = ("sequence", "time", "x", "y", "pressure", "label")


def _trace(shape: str, phase: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    angle = 2 * np.pi * phase
    if shape == "circle":
        return np.cos(angle), np.sin(angle)
    if shape == "zigzag":
        return 2 * phase - 1, 2 * np.abs((4 * phase) % 2 - 1) - 1
    return phase * np.cos(2 * angle), phase * np.sin(2 * angle)  # spiral: two turns outwards


def generate_gestures(sequences: int, seed: int = 0) -> list[tuple[str, int, float, float, float, str]]:
    """Rows (gesture id, step, x, y, pressure, shape) of `sequences` gestures."""
    rng = np.random.default_rng(seed)
    rows = []
    for index in range(sequences):
        shape = SHAPES[index % len(SHAPES)]
        steps = int(rng.integers(12, 49))
        x, y = _trace(shape, np.linspace(0.0, 1.0, steps))
        scale, turn = rng.uniform(0.7, 1.3), rng.uniform(0, 2 * np.pi)
        x, y = scale * (np.cos(turn) * x - np.sin(turn) * y), scale * (np.sin(turn) * x + np.cos(turn) * y)
        x, y = x + rng.normal(0, 0.08, steps), y + rng.normal(0, 0.08, steps)
        pressure = np.clip(rng.uniform(0.4, 0.9) + rng.normal(0, 0.05, steps), 0, 1)
        for step in range(steps):
            rows.append((f"g{index:04d}", step, round(x[step], 4), round(y[step], 4), round(pressure[step], 3), shape))
    return rows


def write_gestures(path: Path | str, sequences: int = 150, seed: int = 0) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(generate_gestures(sequences, seed))


if __name__ == "__main__":
    if not 2 <= len(sys.argv) <= 4:
        sys.exit("usage: python -m engine.data.gesture_corpus PATH [SEQUENCES] [SEED]")
    write_gestures(sys.argv[1], *(int(arg) for arg in sys.argv[2:]))
