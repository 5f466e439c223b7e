"""Datasets for sequence models: built-in generated tasks and the user's own files.

Data settings are a plain JSON dict, {"task": NAME, "params": {...}}; `TASKS` describes every
task and its parameters (for the settings form), `describe` tells cheaply what a model must
take and produce, and `load_dataset` builds the tensors, deterministically from a seed.
Pure Python + numpy + torch: nothing here imports Qt.
"""

from .base import DataError, Dataset, DataSignature, TaskSpec
from .csv_table import csv_preview
from .registry import TASKS, default_settings, describe, load_dataset
from .text_file import text_preview

__all__ = [
    "DataError",
    "DataSignature",
    "Dataset",
    "TASKS",
    "TaskSpec",
    "csv_preview",
    "default_settings",
    "describe",
    "load_dataset",
    "text_preview",
]
