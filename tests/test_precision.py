"""Mixed precision is a training setting: bf16 and fp16 train on CUDA GPUs (bench/gpu_check.py
checks them there); on the CPU the run is refused at once with a message, leaving no run."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from engine.errors import UserError
from engine.precision import Precision
from engine.project import load_project
from engine.runs import list_runs
from engine.training import train

EXAMPLES = Path(__file__).resolve().parents[1] / "projects"


@pytest.mark.parametrize("precision", ["bf16", "fp16"])
def test_mixed_precision_on_the_cpu_is_refused_with_a_message(tmp_path, precision):
    project = load_project(EXAMPLES / "adding_gru.rsproj")
    overrides = {"precision": precision, "device": "cpu"}
    with pytest.raises(UserError, match=f"precision '{precision}' trains only on a CUDA GPU"):
        train(project, steps=2, runs_dir=tmp_path, overrides=overrides)
    assert list_runs(tmp_path) == []


def test_float32_changes_nothing():
    precision = Precision("float32", torch.device("cpu"))
    assert precision.attempts == 1 and precision.scaler is None
    assert not precision.overflowed(float("inf"))  # no scaler: an overflow is the run's to judge
