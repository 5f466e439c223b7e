"""Checking that a series is evenly spaced, and what to do where it is not.

Within each series, consecutive grid positions should differ by exactly one step. A larger
whole-number difference is a gap (steps with no row); a difference that is not a whole
number, zero or negative is irregular spacing (times off the grid, repeated or going back).

Modes (the `gaps` data setting):
  report       refuse gaps and irregular spacing, saying where they are and how large
  interpolate  fill each gap with rows estimated linearly from its two sides
  split        cut the series at each gap into segments; windows never cross a segment
  ignore       go on as if the rows were evenly spaced
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .base import DataError
from .series_layout import SeriesRows

GAP_MODES = ("report", "interpolate", "split", "ignore")
_SHOWN = 5


@dataclass(frozen=True)
class Spacing:
    """Where a series' rows are not one step apart: row indices of the row after each break."""

    gap_rows: np.ndarray  # int64: rows that follow a gap
    gap_sizes: np.ndarray  # int64: steps missing before each of those rows
    irregular_rows: np.ndarray  # int64: rows whose distance to the previous row is not whole

    @property
    def regular(self) -> bool:
        return not len(self.gap_rows) and not len(self.irregular_rows)


def check_spacing(rows: SeriesRows) -> Spacing:
    gap_rows, gap_sizes, irregular = [], [], []
    for start, stop in rows.bounds:
        steps = np.diff(rows.positions[start:stop])
        whole = np.isclose(steps, np.round(steps), atol=1e-6) & (steps > 0.5)
        irregular.append(start + 1 + np.flatnonzero(~whole))
        gaps = np.flatnonzero(whole & (np.round(steps) > 1))
        gap_rows.append(start + 1 + gaps)
        gap_sizes.append(np.round(steps[gaps]).astype(np.int64) - 1)
    join = lambda parts: np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, np.int64)  # noqa: E731
    return Spacing(join(gap_rows), join(gap_sizes), join(irregular))


def describe_spacing(rows: SeriesRows, spacing: Spacing) -> str:
    """The gaps and irregular steps in words, with file lines and times (the first few)."""
    unit = rows.time.step if rows.time is not None else "step"
    parts = []
    if len(spacing.gap_rows):
        places = [
            f"{size} missing between line {rows.lines[row - 1]} ({rows.labels[row - 1]}) and line "
            f"{rows.lines[row]} ({rows.labels[row]})"
            for row, size in zip(spacing.gap_rows[:_SHOWN], spacing.gap_sizes[:_SHOWN])
        ]
        more = f" and {len(spacing.gap_rows) - _SHOWN} more" if len(spacing.gap_rows) > _SHOWN else ""
        largest = int(spacing.gap_sizes.max())
        parts.append(
            f"{len(spacing.gap_rows)} gap(s) in the {unit} series, the largest {largest} step(s): "
            + "; ".join(places)
            + more
        )
    if len(spacing.irregular_rows):
        lines = ", ".join(str(rows.lines[row]) for row in spacing.irregular_rows[:_SHOWN])
        parts.append(f"irregular spacing (off the {unit} grid, repeated or going back) at line(s) {lines}")
    return "; ".join(parts)


def apply_gap_mode(rows: SeriesRows, mode: str, path: object) -> tuple[SeriesRows, list[tuple[int, int]], str]:
    """(rows, segments, note): rows after `mode`, the row ranges windows may span, and a note
    for the dataset description (empty when the series was evenly spaced)."""
    spacing = check_spacing(rows)
    if spacing.regular or mode == "ignore":
        note = f"spacing not checked: {describe_spacing(rows, spacing)}" if not spacing.regular else ""
        return rows, list(rows.bounds), note
    words = describe_spacing(rows, spacing)
    if mode == "report" or len(spacing.irregular_rows):
        choice = (
            "set the 'gaps' data setting to 'interpolate' (fill them), 'split' (train on the "
            "evenly spaced stretches) or 'ignore'"
            if not len(spacing.irregular_rows)
            else "fix the times, or set 'gaps' to 'ignore' to treat the rows as evenly spaced"
        )
        raise DataError(f"'{path}' is not evenly spaced: {words}. To go on, {choice}.")
    if mode == "split":
        return rows, _segments(rows.bounds, spacing.gap_rows), f"split at gaps: {words}"
    filled = _interpolate(rows)
    return filled, list(filled.bounds), f"gaps filled by interpolation: {words}"


def _segments(bounds: list[tuple[int, int]], breaks: np.ndarray) -> list[tuple[int, int]]:
    segments = []
    for start, stop in bounds:
        cuts = [int(row) for row in breaks if start < row < stop]
        edges = [start, *cuts, stop]
        segments += list(zip(edges[:-1], edges[1:]))
    return segments


def _interpolate(rows: SeriesRows) -> SeriesRows:
    """Every series on its full grid, the new rows estimated linearly from their neighbours."""
    parts, bounds, position = [], [], 0
    for start, stop in rows.bounds:
        known = rows.positions[start:stop]
        grid = np.arange(known[0], known[-1] + 0.5)
        values = np.column_stack([np.interp(grid, known, rows.values[start:stop, j]) for j in range(len(rows.names))])
        source = np.searchsorted(known, grid)  # a filled row reports the line after its gap
        labels = rows.time.grid_labels(grid) if rows.time is not None else grid
        parts.append((values, rows.lines[start:stop][np.minimum(source, stop - start - 1)], grid, labels))
        bounds.append((position, position + len(grid)))
        position += len(grid)
    return replace(
        rows,
        values=np.concatenate([p[0] for p in parts]),
        lines=np.concatenate([p[1] for p in parts]),
        positions=np.concatenate([p[2] for p in parts]),
        labels=np.concatenate([p[3] for p in parts]),
        bounds=bounds,
    )
