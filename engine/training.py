"""Training runs: one function trains a project and reports through plain events.

`train` knows nothing of any GUI. It emits dicts of numbers (and, for probes, numpy
arrays) to a callback, checks a RunControl between steps so another thread or process can
pause or stop it, stops a diverging run keeping its last good weights, and writes a run
folder. The same project and seed give the same numbers.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import nn

from .checkpoints import LearningRateSchedule, WeightKeeper
from .compiler import compile_graph
from .data import load_dataset
from .errors import UserError
from .events import (
    DoneEvent,
    EvalEvent,
    EventType,
    PhaseEvent,
    PredictionsEvent,
    ProbeEvent,
    RunStatus,
    StepEvent,
    status_event,
)
from .packing import with_lengths
from .precision import Precision
from .project import Project
from .runs import LAST_WEIGHTS, RunRecorder, new_run_dir
from .settings import check_training

EventSink = Callable[[dict[str, Any]], None]
EvalHook = Callable[[nn.Module, Any], "dict[str, Any] | None"]


class TrainingError(UserError, RuntimeError):
    """A run that cannot start or continue; the message is for the user."""


@dataclass
class RunControl:
    """Pause and stop requests, safe to set from another thread."""

    stop_event: threading.Event = field(default_factory=threading.Event)
    resume_event: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.resume_event.set()

    def stop(self) -> None:
        self.stop_event.set()
        self.resume_event.set()

    def pause(self) -> None:
        self.resume_event.clear()

    def resume(self) -> None:
        self.resume_event.set()

    @property
    def paused(self) -> bool:
        return not self.resume_event.is_set()

    @property
    def stopped(self) -> bool:
        return self.stop_event.is_set()


@dataclass
class RunResult:
    status: RunStatus  # FINISHED, STOPPED, DIVERGED (FAILED raises TrainingError)
    steps: int
    run_dir: Path | None
    train_loss: float | None
    val_loss: float | None
    metric: float | None
    message: str = ""
    summary: dict[str, Any] = field(default_factory=dict)


def select_device(choice: str) -> torch.device:
    if choice == "cuda" and not torch.cuda.is_available():
        raise TrainingError("device 'cuda' was chosen but no CUDA GPU is available; choose 'auto' or 'cpu'")
    if choice == "auto":
        choice = "cuda" if torch.cuda.is_available() else "cpu"
    return torch.device(choice)


def make_optimizer(model: nn.Module, settings: dict[str, Any]) -> torch.optim.Optimizer:
    params, lr, decay = model.parameters(), settings["learning_rate"], settings["weight_decay"]
    if settings["optimizer"] == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=settings["momentum"], weight_decay=decay)
    if settings["optimizer"] == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, momentum=settings["momentum"], weight_decay=decay)
    return torch.optim.Adam(params, lr=lr, weight_decay=decay)


def evaluate(
    model, x: torch.Tensor, y: torch.Tensor, batch_size: int, lengths: torch.Tensor | None = None
) -> tuple[float, float | None]:
    """Mean loss and metric over (x, y) in eval mode, without gradients; `lengths` for
    variable-length data."""
    was_training = model.training
    model.eval()
    total_loss, total_metric, count, has_metric = 0.0, 0.0, 0, False
    with torch.no_grad():
        for start in range(0, len(x), batch_size):
            xb, yb = x[start : start + batch_size], y[start : start + batch_size]
            prediction = model(xb, **with_lengths(lengths, slice(start, start + batch_size)))
            total_loss += model.loss(prediction, yb).item() * len(xb)
            metric = model.metric(prediction, yb)
            if metric is not None:
                has_metric, total_metric = True, total_metric + metric * len(xb)
            count += len(xb)
    model.train(was_training)
    return total_loss / count, (total_metric / count if has_metric else None)


class BatchSampler:
    """Shuffled minibatches from a seeded generator: epoch after epoch, reproducibly."""

    def __init__(self, size: int, batch_size: int, seed: int):
        self.size, self.batch_size = size, min(batch_size, size)
        self.generator = torch.Generator().manual_seed(seed)
        self._order, self._position = torch.empty(0, dtype=torch.long), size

    def next(self) -> torch.Tensor:
        if self._position + self.batch_size > len(self._order):
            self._order, self._position = torch.randperm(self.size, generator=self.generator), 0
        batch = self._order[self._position : self._position + self.batch_size]
        self._position += self.batch_size
        return batch


class OneProcess:
    """How a run takes part in data-parallel training: alone. engine.distributed_rank.RankSeam is
    the other kind (one rank of several, through DistributedDataParallel)."""

    lead = True  # evaluates, probes, records and emits

    def wrap(self, model: nn.Module) -> nn.Module:
        return model

    def shard(self, index: torch.Tensor) -> tuple[torch.Tensor, float]:
        return index, 1.0  # the whole batch, at full weight

    def mean_over_ranks(self, value: float) -> float:
        return value

    def carry_on(self, wait_while_paused: Callable[[], bool]) -> bool:
        return wait_while_paused()


def train(
    project: Project,
    on_event: EventSink | None = None,
    control: RunControl | None = None,
    steps: int | None = None,
    runs_dir: Path | None = None,
    record: bool = True,
    overrides: dict[str, Any] | None = None,
    on_evaluate: EvalHook | None = None,
    parallel: OneProcess | None = None,
) -> RunResult:
    """Train `project`; see the module docstring. `overrides` replace training settings.
    `on_evaluate(model, dataset)`, called after each evaluation, may return a dict that is
    emitted as {"type": "predictions", "step", "predictions": dict} (the GUI's predictions view)."""
    settings = check_training({**project.training, **(overrides or {})})
    if steps is not None:
        settings["steps"] = steps
    run = _Run(project, settings, on_event or (lambda event: None), control or RunControl(), on_evaluate, parallel)
    return run.execute(new_run_dir(project, runs_dir) if record else None)


class _Run:
    """The state of one run; `execute` is the loop, the rest are its steps."""

    def __init__(
        self,
        project: Project,
        settings: dict[str, Any],
        emit: EventSink,
        control: RunControl,
        on_evaluate: EvalHook | None = None,
        parallel: OneProcess | None = None,
    ):
        self.project, self.settings, self.emit, self.control = project, settings, emit, control
        self.on_evaluate = on_evaluate
        self.parallel = parallel or OneProcess()
        self.recorder: RunRecorder | None = None
        self.train_loss = self.val_loss = self.metric = None
        self.step = 0
        self.step_seconds = 0.0

    def execute(self, run_dir: Path | None) -> RunResult:
        self._status(RunStatus.PREPARING, "loading data")
        self._prepare()
        if run_dir is not None:
            self.recorder = RunRecorder(run_dir, self.project)
        started = time.perf_counter()
        try:
            status, message = self._loop()
        except Exception as error:  # record why the run died, then let the caller report it
            message = f"training failed at step {self.step}: {error}"
            self._finish(RunStatus.FAILED, message, run_dir, time.perf_counter() - started)
            raise TrainingError(message) from error
        return self._finish(status, message, run_dir, time.perf_counter() - started)

    def _prepare(self) -> None:
        seed = self.settings["seed"]
        torch.manual_seed(seed)
        self.device = select_device(self.settings["device"])
        self.data = load_dataset(self.project.data, self.project.base_dir, seed=seed)
        self._emit(PhaseEvent(type=EventType.PHASE, phase="building the model"))  # the window shows it before step 1
        self.model = compile_graph(self.project.graph, self.data.signature).to(self.device)
        self.forward = self.parallel.wrap(self.model)  # what training steps call; evaluation uses the model
        self.precision = Precision(self.settings["precision"], self.device)
        self.optimizer = make_optimizer(self.model, self.settings)
        self.keeper = WeightKeeper(self.model)
        self.schedule = LearningRateSchedule(
            self.optimizer, self.settings["lr_schedule"], self.settings["steps"], self.settings["lr_patience"]
        )
        self.sampler = BatchSampler(len(self.data.x_train), self.settings["batch_size"], seed)
        self.x_train, self.y_train = self.data.x_train.to(self.device), self.data.y_train.to(self.device)
        self.x_val, self.y_val = self.data.x_val.to(self.device), self.data.y_val.to(self.device)
        self.model.fit_targets(self.y_train)  # balanced class weights, when the head asks
        self.judgement: dict[str, Any] | None = None
        self.parameter_count = sum(p.numel() for p in self.model.parameters())
        self.probe = self._make_probe()
        self.baseline_losses = self._baseline_losses()

    def _baseline_losses(self) -> dict[str, float] | None:
        """Each forecasting baseline's validation loss, by the model's own loss on its normalised
        targets: the units of the validation loss curve (the loss plot's reference lines)."""
        info = self.data.forecast
        if info is None or not info.baselines:
            return None
        with torch.no_grad():
            return {
                name: float(self.model.loss(torch.from_numpy(info.normalised(values)).to(self.y_val), self.y_val))
                for name, values in info.baselines.items()
            }

    def _make_probe(self):
        if not self.parallel.lead or not self.settings["probe_every"] or not self.model.recurrent_ids():
            return None
        from .probes import ProbeSession

        return ProbeSession(self.model, self.data, self.settings["probe_samples"])

    def _loop(self) -> tuple[RunStatus, str]:
        total = self.settings["steps"]
        self._status(RunStatus.RUNNING, f"training for {total} steps")
        self._evaluate()
        self.keeper.observe(self.step, None, self.val_loss)
        self._maybe_probe(force=True)
        while self.step < total:
            if not self.parallel.carry_on(self._wait_while_paused):
                return RunStatus.STOPPED, f"stopped by the user at step {self.step}"
            loss, grad_norm = self._train_step()
            if not (math.isfinite(loss) and math.isfinite(grad_norm)):
                return RunStatus.DIVERGED, self._diverged(loss, grad_norm)
            self.step += 1
            event = StepEvent(
                type=EventType.STEP, step=self.step, loss=loss, grad_norm=grad_norm, seconds=self.step_seconds
            )
            self._emit(event)
            self._after_step(total)
            if self.keeper.out_of_patience(self.settings["patience"]):
                return RunStatus.FINISHED, self._early_stop_message()
        return RunStatus.FINISHED, f"finished {total} steps"

    def _after_step(self, total: int) -> None:
        final = self.step == total
        if self.step % self.settings["eval_every"] == 0 or final:
            self._evaluate()
            self.keeper.observe(self.step, self.train_loss, self.val_loss)
            self.schedule.after_evaluation(self.val_loss)
        self._maybe_probe(force=final)

    def _train_step(self) -> tuple[float, float]:
        started = time.perf_counter()
        index, weight = self.parallel.shard(self.sampler.next())
        index = index.to(self.device)
        xb, yb = self.x_train[index], self.y_train[index]
        for _ in range(self.precision.attempts):  # more than one only in fp16, after an overflow
            self.optimizer.zero_grad(set_to_none=True)
            with self.precision.autocast():
                loss = self.model.loss(self.forward(xb, **with_lengths(self.data.lengths_train, index.cpu())), yb)
            self.precision.backward(loss * weight, self.optimizer)
            clip = self.settings["grad_clip"] or float("inf")
            grad_norm = float(torch.nn.utils.clip_grad_norm_(self.model.parameters(), clip))
            if not self.precision.overflowed(grad_norm):
                break
        value = self.parallel.mean_over_ranks(loss.item() * weight)
        if math.isfinite(value) and math.isfinite(grad_norm):
            self.precision.step(self.optimizer)
            self.schedule.after_step()
            self.train_loss = value
        self.step_seconds += time.perf_counter() - started
        return value, grad_norm

    def _diverged(self, loss: float, grad_norm: float) -> str:
        kept = self.keeper.restore_last_finite()
        what = "loss" if not math.isfinite(loss) else "gradient norm"
        weights = f"the last finite weights (from step {kept}) were kept" if kept is not None else "no finite weights"
        return (
            f"the {what} became {loss if what == 'loss' else grad_norm} at step {self.step + 1}; "
            f"training stopped and {weights}. Try a lower learning rate or gradient clipping"
        )

    def _early_stop_message(self) -> str:
        best = self.keeper.best
        return (
            f"stopped early at step {self.step}: the validation loss did not improve for "
            f"{self.settings['patience']} evaluations (best {best.val_loss:.4g} at step {best.step})"
        )

    def _wait_while_paused(self) -> bool:
        if self.control.paused and not self.control.stopped:
            self._status(RunStatus.PAUSED, f"paused at step {self.step}")
            self.control.resume_event.wait()
            if not self.control.stopped:
                self._status(RunStatus.RUNNING, f"resumed at step {self.step}")
        return not self.control.stopped

    def _evaluate(self) -> None:
        if not self.parallel.lead:
            return
        batch = max(self.settings["batch_size"], 256)
        self.val_loss, self.metric = evaluate(self.model, self.x_val, self.y_val, batch, self.data.lengths_val)
        self.judgement = self._judge(batch)
        event = EvalEvent(
            type=EventType.EVAL,
            step=self.step,
            val_loss=self.val_loss,
            metric=self.metric,
            metric_name=self.data.signature.metric,
            train_loss=self.train_loss,
        )
        if self.judgement:
            event["classification"] = self.judgement
        if self.baseline_losses:
            event["baselines"] = self.baseline_losses
        self._emit(event)
        extra = self.on_evaluate(self.model, self.data) if self.on_evaluate else None
        if extra:
            self._emit(PredictionsEvent(type=EventType.PREDICTIONS, step=self.step, predictions=extra))

    def _judge(self, batch: int) -> dict[str, Any] | None:
        """Accuracy, macro-F1, confusion matrix and the majority-class baseline (classifiers)."""
        if self.data.signature.target_kind != "classification":
            return None
        from .classification_metrics import imbalance_warning, judge, predicted_classes

        classes, names = self.data.signature.n_outputs, self.data.class_names
        predicted = predicted_classes(self.model, self.x_val, self.data.lengths_val, batch)
        train_labels = self.data.y_train.numpy()
        report = judge(self.data.y_val.numpy(), predicted, train_labels, classes).to_dict(names)
        return {**report, "imbalance_warning": imbalance_warning(train_labels, classes, names)}

    def _maybe_probe(self, force: bool = False) -> None:
        every = self.settings["probe_every"]
        if self.probe is None or not (force or self.step % every == 0):
            return
        record = self.probe.run(self.step)
        if self.recorder is not None:
            from .probe_store import save_probe

            save_probe(self.recorder.run_dir, record)
        self._emit(ProbeEvent(type=EventType.PROBE, step=self.step, probe=record))

    def _keep_weights(self, status: RunStatus) -> dict[str, Any]:
        """Save the last weights, then load and save the best ones: the run's result."""
        if self.recorder is not None:
            self.recorder.save_weights(self.model.state_dict(), LAST_WEIGHTS)
        best = self.keeper.restore_best() if status != RunStatus.FAILED else None
        if self.recorder is not None:
            self.recorder.save_weights(self.model.state_dict())
        if best is None:
            return {"best_step": None, "best_val_loss": None}
        return {"best_step": best.step, "best_val_loss": best.val_loss}

    def _judge_forecast(self, kept: dict[str, Any]) -> dict[str, Any] | None:
        """Errors in the data's units beside the baselines, for the kept weights; predictions.csv."""
        info = self.data.forecast
        if info is None or not self.parallel.lead:
            return None
        from .forecast_metrics import forecast_report
        from .predictions import forecast_table, validation_outputs

        outputs = validation_outputs(self.model, self.data)
        context = {"train_loss": self.train_loss, "val_loss": self.val_loss, "steps": self.step, **kept}
        if self.recorder is not None:
            self.recorder.write_predictions(*forecast_table(info, outputs))
        return forecast_report(info, outputs, context)

    def _finish(self, status: RunStatus, message: str, run_dir: Path | None, duration: float) -> RunResult:
        summary = {
            "status": status,
            "message": message,
            "steps": self.step,
            "total_steps": self.settings["steps"],
            "train_loss": self.train_loss,
            "val_loss": self.val_loss,
            "metric": self.metric,
            "metric_name": self.data.signature.metric,
            "baseline_loss": self.data.baseline_loss,
            "parameters": self.parameter_count,
            "seconds": duration,
            "seconds_per_step": self.step_seconds / max(self.step, 1),
            "seed": self.settings["seed"],
            "device": str(self.device),
        }
        if self.judgement is not None:
            summary["classification"] = self.judgement
        if self.baseline_losses:
            summary["baseline_losses"] = self.baseline_losses  # in the validation loss's units
        summary.update(self._keep_weights(status))
        forecast = self._judge_forecast(summary) if status != RunStatus.FAILED else None
        if forecast is not None:
            summary["forecast"] = forecast
        if self.recorder is not None:
            self.recorder.write_summary(summary)
            self.recorder.close()
        self._status(status, message)
        self._emit(DoneEvent(type=EventType.DONE, summary=summary, run_dir=str(run_dir) if run_dir else None))
        return RunResult(status, self.step, run_dir, self.train_loss, self.val_loss, self.metric, message, summary)

    def _status(self, status: RunStatus, message: str) -> None:
        self._emit(status_event(status, message))

    def _emit(self, event: dict[str, Any]) -> None:
        if self.recorder is not None:
            self.recorder.record(event)
        self.emit(event)
