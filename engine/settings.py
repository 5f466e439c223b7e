"""Training settings: their schema (typed, ranged, with help) and checking.

The same Param type that describes block parameters describes these, so the GUI builds
both forms the same way and the project loader checks both the same way.
"""

from __future__ import annotations

from typing import Any

from .blocks.spec import Param

TRAINING_PARAMS: tuple[Param, ...] = (
    Param("optimizer", "choice", "adam", "The optimiser.", choices=("adam", "sgd", "rmsprop")),
    Param("learning_rate", "float", 1e-3, "Step size of the optimiser.", 1e-7, 10.0),
    Param("batch_size", "int", 64, "Sequences per training step.", 1, 65536),
    Param("steps", "int", 1000, "Training steps (batches) in a run.", 1, 10_000_000),
    Param("grad_clip", "float", 1.0, "Clip the gradient's global norm to this value; 0 turns clipping off.", 0.0, 1e6),
    Param("weight_decay", "float", 0.0, "L2 penalty on the weights.", 0.0, 1.0),
    Param("momentum", "float", 0.9, "Momentum for SGD and RMSprop.", 0.0, 0.999),
    Param(
        "seed", "int", 0, "Seeds data, initial weights and batch order: the same seed gives the same run.", 0, 2**31 - 1
    ),
    Param(
        "device",
        "choice",
        "auto",
        "Where to train: 'auto' uses a GPU when there is one.",
        choices=("auto", "cpu", "cuda"),
    ),
    Param("eval_every", "int", 100, "Evaluate on the validation set every this many steps.", 1, 1_000_000),
    Param(
        "probe_every",
        "int",
        100,
        "Look inside recurrent blocks every this many steps; 0 turns probes off.",
        0,
        1_000_000,
    ),
    Param("probe_samples", "int", 8, "Validation sequences used by each probe.", 1, 1024),
)


class SettingsError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def training_defaults() -> dict[str, Any]:
    return {param.name: param.default for param in TRAINING_PARAMS}


def check_training(settings: dict[str, Any]) -> dict[str, Any]:
    """Defaults filled in and every value checked; raises SettingsError naming the field."""
    if not isinstance(settings, dict):
        raise SettingsError("training", "must be an object of named settings")
    known = {param.name: param for param in TRAINING_PARAMS}
    for name in settings:
        if name not in known:
            raise SettingsError(name, f"unknown training setting '{name}'; known: {', '.join(known)}")
    checked = training_defaults()
    for name, value in settings.items():
        try:
            checked[name] = known[name].check(value)
        except ValueError as error:
            raise SettingsError(name, str(error)) from None
    return checked
