"""What a run keeps of its weights, when it stops early, and how its learning rate moves.

`WeightKeeper` holds three snapshots: the last *finite* one (taken after each evaluation,
only when the loss and every weight are finite, so a diverged run falls back to it), the one
with the best validation loss so far (the run's result), and, at the end, the last weights.
It also counts evaluations without improvement for early stopping (`patience`).

`LearningRateSchedule` wraps PyTorch's schedulers: constant, cosine (annealed to zero over
the run's steps) or plateau (halved after `lr_patience` evaluations without improvement).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn


def _finite_snapshot(model: nn.Module) -> dict[str, torch.Tensor] | None:
    """A copy of the weights, or None if any of them is NaN or infinite."""
    state = model.state_dict()
    for tensor in state.values():
        if tensor.is_floating_point() and not bool(torch.isfinite(tensor).all()):
            return None
    return {name: tensor.detach().clone() for name, tensor in state.items()}


@dataclass
class Snapshot:
    step: int
    weights: dict[str, torch.Tensor]
    val_loss: float | None = None


class WeightKeeper:
    def __init__(self, model: nn.Module):
        self.model = model
        self.last_finite: Snapshot | None = None
        self.best: Snapshot | None = None
        self.evaluations_since_best = 0

    def observe(self, step: int, loss: float | None, val_loss: float | None) -> None:
        """After an evaluation: keep a finite snapshot, and the best one when it improved."""
        finite_losses = all(value is None or math.isfinite(value) for value in (loss, val_loss))
        weights = _finite_snapshot(self.model) if finite_losses else None
        if weights is None:
            return
        self.last_finite = Snapshot(step, weights, val_loss)
        if val_loss is None:
            return
        if self.best is None or val_loss < self.best.val_loss:
            self.best, self.evaluations_since_best = Snapshot(step, weights, val_loss), 0
        else:
            self.evaluations_since_best += 1

    def out_of_patience(self, patience: int) -> bool:
        return patience > 0 and self.evaluations_since_best >= patience

    def restore_last_finite(self) -> int | None:
        """Load the last finite weights; their step, or None if there were none."""
        if self.last_finite is None:
            return None
        self.model.load_state_dict(self.last_finite.weights)
        return self.last_finite.step

    def restore_best(self) -> Snapshot | None:
        if self.best is not None:
            self.model.load_state_dict(self.best.weights)
        return self.best


class LearningRateSchedule:
    def __init__(self, optimizer: torch.optim.Optimizer, kind: str, steps: int, lr_patience: int):
        self.kind = kind
        if kind == "cosine":
            self.scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=max(steps, 1))
        elif kind == "plateau":
            self.scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=0.5, patience=lr_patience)
        else:
            self.scheduler = None
        self.optimizer = optimizer

    def after_step(self) -> None:
        if self.kind == "cosine":
            self.scheduler.step()

    def after_evaluation(self, val_loss: float | None) -> None:
        if self.kind == "plateau" and val_loss is not None and math.isfinite(val_loss):
            self.scheduler.step(val_loss)

    @property
    def learning_rate(self) -> float:
        return float(self.optimizer.param_groups[0]["lr"])
