"""Mixed precision is a training setting: bf16 and fp16 train on CUDA GPUs (bench/gpu_check.py
checks them there); on the CPU the run is refused at once with a message, leaving no run."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import torch
from torch import nn

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


def test_fp16_overflow_halves_the_scale_and_redoes_the_batch_until_it_fits(monkeypatch):
    """The gradient scaler's path as engine.training._Run._train_step drives it, run on the CPU
    (CPU autocast computes in float16 too) with the CUDA-only policy check set aside."""
    import engine.precision

    monkeypatch.setattr(engine.precision, "check_precision", lambda choice, device_type: None)
    precision = Precision("fp16", torch.device("cpu"))
    torch.manual_seed(0)
    model = nn.Linear(4, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-9)
    x, y = torch.full((8, 4), 100.0), torch.zeros(8, 1)
    before = model.weight.detach().clone()
    norms = []
    for _ in range(precision.attempts):
        optimizer.zero_grad(set_to_none=True)
        with precision.autocast():
            prediction = model(x)
        precision.backward(nn.functional.mse_loss(prediction.float(), y), optimizer)
        norms.append(float(torch.nn.utils.clip_grad_norm_(model.parameters(), float("inf"))))
        if not precision.overflowed(norms[-1]):
            break
    precision.step(optimizer)
    assert prediction.dtype == torch.float16
    assert math.isinf(norms[0]) and math.isfinite(norms[-1]) and 1 < len(norms) < precision.attempts
    assert precision.scaler.get_scale() == 2.0**16 / 2 ** (len(norms) - 1)  # halved once per overflow
    assert not torch.equal(model.weight, before)  # the batch that fitted was a real step
