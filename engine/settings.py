"""Training settings: their schema (typed, ranged, with help) and checking.

The same Param type that describes block parameters describes these, so the GUI builds
both forms the same way and the project loader checks both the same way.
"""

from __future__ import annotations

from typing import Any

from .errors import UserError
from .params import Param, ParamValueError

LR_SCHEDULES = ("constant", "cosine", "plateau")  # engine.checkpoints.LearningRateSchedule

TRAINING_PARAMS: tuple[Param, ...] = (
    Param("optimizer", "choice", "adam", choices=("adam", "sgd", "rmsprop"), help="The optimiser."),
    Param("learning_rate", "float", 1e-3, 1e-7, 10.0, help="Step size of the optimiser."),
    Param("batch_size", "int", 64, 1, 65536, help="Sequences per training step."),
    Param("steps", "int", 1000, 1, 10_000_000, help="Training steps (batches) in a run."),
    Param(
        "grad_clip", "float", 1.0, 0.0, 1e6, help="Clip the gradient's global norm to this value; 0 turns clipping off."
    ),
    Param("weight_decay", "float", 0.0, 0.0, 1.0, help="L2 penalty on the weights."),
    Param("momentum", "float", 0.9, 0.0, 0.999, help="Momentum for SGD and RMSprop."),
    Param(
        "seed",
        "int",
        0,
        0,
        2**31 - 1,
        help="Seeds data, initial weights and batch order: the same seed gives the same run.",
    ),
    Param(
        "device",
        "choice",
        "auto",
        choices=("auto", "cpu", "cuda"),
        help="Where to train: 'auto' uses a GPU when there is one.",
    ),
    Param("eval_every", "int", 100, 1, 1_000_000, help="Evaluate on the validation set every this many steps."),
    Param(
        "probe_every",
        "int",
        100,
        0,
        1_000_000,
        help="Look inside recurrent blocks every this many steps; 0 turns probes off.",
    ),
    Param("probe_samples", "int", 8, 1, 1024, help="Validation sequences used by each probe."),
    Param(
        "patience",
        "int",
        0,
        0,
        1_000_000,
        help="Stop early after this many evaluations without a better validation loss; 0 never stops early. "
        "The weights of the best validation loss are kept either way.",
    ),
    Param(
        "lr_schedule",
        "choice",
        "constant",
        choices=LR_SCHEDULES,
        help="Learning rate over the run: constant, cosine (annealed to zero at the last step) or plateau "
        "(halved after lr_patience evaluations without improvement).",
    ),
    Param(
        "lr_patience", "int", 3, 0, 1_000_000, help="Evaluations without improvement before 'plateau' halves the rate."
    ),
    Param(
        "precision",
        "choice",
        "float32",
        choices=("float32", "bf16", "fp16"),
        help="Arithmetic of training steps: bf16 or fp16 mixed precision on a CUDA GPU (fp16 with loss "
        "scaling); float32 on the CPU.",
    ),
    Param(
        "processes",
        "int",
        1,
        1,
        256,
        help="Training processes on this machine, kept in step by DistributedDataParallel (torchrun); each "
        "trains on its share of every batch. 1 trains in one process.",
    ),
)


class SettingsError(UserError, ValueError):
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
        except ParamValueError as error:
            raise SettingsError(name, str(error)) from None
    return checked
