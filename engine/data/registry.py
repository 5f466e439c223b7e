"""The catalogue of data tasks and the two entry points: describe and load_dataset.

Data settings are the plain JSON dict a project stores: {"task": NAME, "params": {...}}.
Both entry points check the settings the same way, so whatever describe accepts,
load_dataset accepts too, and describe(settings) == load_dataset(settings).signature.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .base import DataError, Dataset, DataSignature, Params, TaskSpec
from .char_lm import CHAR_LM
from .csv_series import CSV_SERIES
from .japanese_vowels import JAPANESE_VOWELS
from .params import resolve_params
from .sensor import SENSOR_ANOMALY
from .sequence_table import SEQUENCE_TABLE
from .synthetic import ADDING, COPY, SINE
from .text_classification import TEXT_CLASSIFICATION
from .text_file import TEXT_FILE

TASKS: dict[str, TaskSpec] = {
    spec.name: spec
    for spec in (
        SINE,
        ADDING,
        COPY,
        SENSOR_ANOMALY,
        CHAR_LM,
        CSV_SERIES,
        TEXT_FILE,
        TEXT_CLASSIFICATION,
        SEQUENCE_TABLE,
        JAPANESE_VOWELS,
    )
}


def default_settings(task: str = "sine") -> dict[str, Any]:
    """Data settings for `task` with every parameter at its default."""
    spec = _task(task)
    return {"task": spec.name, "params": spec.defaults()}


def describe(settings: Mapping[str, Any], base_dir: Path | str | None = None) -> DataSignature:
    """What a model needs for these data settings, without generating the data.

    User-file tasks read their file (to learn columns, rows or vocabulary) and raise the same
    DataErrors load_dataset would.
    """
    spec, params = _resolve(settings)
    return spec.signature_fn(params, _base(base_dir))


def data_summary(settings: Mapping[str, Any], base_dir: Path | str | None = None) -> str | None:
    """The task's one-line summary of its file (classes, vocabulary) for the data form, or None."""
    spec, params = _resolve(settings)
    return None if spec.summary_fn is None else spec.summary_fn(params, _base(base_dir))


def load_dataset(settings: Mapping[str, Any], base_dir: Path | str | None = None, seed: int = 0) -> Dataset:
    """The dataset for these settings; the same settings and seed give identical tensors."""
    spec, params = _resolve(settings)
    return spec.build_fn(params, _base(base_dir), seed)


def _resolve(settings: Mapping[str, Any]) -> tuple[TaskSpec, Params]:
    if not isinstance(settings, Mapping):
        raise DataError(
            f'Data settings must be an object like {{"task": "sine", "params": {{}}}}; got {type(settings).__name__}.'
        )
    extra = sorted(str(key) for key in settings if key not in ("task", "params"))
    if extra:
        raise DataError(
            f"Data settings have unknown field(s) {', '.join(repr(k) for k in extra)}; "
            'only "task" and "params" are allowed.'
        )
    spec = _task(settings.get("task"))
    return spec, resolve_params(spec, settings.get("params"))


def _task(name: Any) -> TaskSpec:
    if not isinstance(name, str) or name not in TASKS:
        known = ", ".join(f"'{task}'" for task in TASKS)
        raise DataError(f"Unknown data task {name!r}. Choose one of: {known}.")
    return TASKS[name]


def _base(base_dir: Path | str | None) -> Path | None:
    return None if base_dir is None else Path(base_dir)
