"""The engine's two kinds of announcements, each declared once.

`Event` is a tiny observer: the graph document announces edits without knowing who listens.

The run vocabulary: what a training run or a cell comparison reports, as plain dicts of
numbers (and numpy arrays for probes) so they cross threads, processes and JSON lines alike.
`EventType` names every kind of event, each TypedDict below says what it holds, and
`RunStatus` names the states a run goes through. Producers (engine.training,
engine.compare, the training process) and consumers (the command line, run folders,
engine.run_data and the window) use these names, never their own spellings. Both are `str`
enums, so an event written as JSON reads back equal to its name.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Any, TypedDict


class Event:
    """A list of callbacks called in order with the arguments given to `emit`."""

    def __init__(self) -> None:
        self._handlers: list[Callable[..., Any]] = []

    def connect(self, handler: Callable[..., Any]) -> None:
        self._handlers.append(handler)

    def disconnect(self, handler: Callable[..., Any]) -> None:
        self._handlers.remove(handler)

    def emit(self, *args: Any) -> None:
        for handler in list(self._handlers):
            handler(*args)


class _Name(str, Enum):
    """A name that is its text everywhere: in comparisons, f-strings, CSV and JSON (as
    enum.StrEnum, which Python 3.10 lacks)."""

    __str__ = str.__str__
    __format__ = str.__format__


class RunStatus(_Name):
    PREPARING = "preparing"  # loading data, building the model
    RUNNING = "running"
    PAUSED = "paused"
    FINISHED = "finished"  # every step done
    STOPPED = "stopped"  # by the user; what it learnt so far is kept
    DIVERGED = "diverged"  # loss or gradient not finite; the last good weights are kept
    FAILED = "failed"  # an error ended it
    INTERRUPTED = "interrupted"  # read back: the process died before writing its summary

    @property
    def ended(self) -> bool:
        return self in _ENDED

    @property
    def succeeded(self) -> bool:
        """Ended with weights worth keeping: all steps done, or stopped on purpose."""
        return self in (RunStatus.FINISHED, RunStatus.STOPPED)


_ENDED = frozenset({RunStatus.FINISHED, RunStatus.STOPPED, RunStatus.DIVERGED, RunStatus.FAILED, RunStatus.INTERRUPTED})


class EventType(_Name):
    STATUS = "status"  # StatusEvent: the run changed state
    PHASE = "phase"  # PhaseEvent: what a preparing run is doing
    STEP = "step"  # StepEvent: one training step
    EVAL = "eval"  # EvalEvent: an evaluation on the validation set
    PROBE = "probe"  # ProbeEvent: a look inside the recurrent blocks
    PREDICTIONS = "predictions"  # PredictionsEvent: predictions on validation samples
    DONE = "done"  # DoneEvent: the run's summary, after its last status
    VARIANT = "variant"  # VariantEvent: a comparison starts training a variant
    VARIANT_DONE = "variant_done"  # VariantDoneEvent: that variant's result
    # Added by the training process on its way to the window (gui.training.child):
    STEPS = "steps"  # consecutive StepEvents as arrays
    ERROR = "error"  # ErrorEvent: the job raised
    COMPARISON = "comparison"  # ComparisonEvent: a comparison wrote its folder


METRIC_EVENTS = (EventType.STEP, EventType.EVAL)  # what a run folder's metrics.jsonl keeps


class StatusEvent(TypedDict):
    type: EventType
    status: RunStatus
    message: str


class PhaseEvent(TypedDict):
    type: EventType
    phase: str


class StepEvent(TypedDict):
    type: EventType
    step: int
    loss: float
    grad_norm: float
    seconds: float  # training time so far, excluding evaluation and probes


class _EvalFigures(TypedDict):
    type: EventType
    step: int
    val_loss: float
    metric: float | None
    metric_name: str | None
    train_loss: float | None


class EvalEvent(_EvalFigures, total=False):
    classification: dict[str, Any]  # accuracy, macro-F1, confusion matrix (classifiers only)
    baselines: dict[str, float]  # forecasters: each baseline's loss, in the validation loss's units


class ProbeEvent(TypedDict):
    type: EventType
    step: int
    probe: dict[str, Any]  # an engine.probes record: numbers and numpy arrays


class PredictionsEvent(TypedDict):
    type: EventType
    step: int
    predictions: dict[str, Any]


class DoneEvent(TypedDict):
    type: EventType
    summary: dict[str, Any]  # as written to summary.json
    run_dir: str | None


class VariantEvent(TypedDict):
    type: EventType
    cell: str
    index: int
    variants: int
    hidden_sizes: dict[str, int]
    parameters: int


class VariantDoneEvent(TypedDict):
    type: EventType
    index: int
    variants: int
    result: dict[str, Any]  # engine.compare.VariantResult.row()


class _ErrorMessage(TypedDict):
    type: EventType
    message: str


class ErrorEvent(_ErrorMessage, total=False):
    details: str  # the traceback, for a bug report


class ComparisonEvent(TypedDict):
    type: EventType
    out_dir: str
    csv: str


def status_event(status: RunStatus, message: str) -> StatusEvent:
    return StatusEvent(type=EventType.STATUS, status=status, message=message)
