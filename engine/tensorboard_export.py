"""TensorBoard event files from a run: live as it trains, or afterwards from its run folder.

`TensorBoardSink` is an event sink like the CLI's progress bar: give it the events of a run
(engine.training's step, eval, probe and done events) and it writes them through
torch.utils.tensorboard's SummaryWriter. `export_run` replays a run folder's recorded events
(metrics.jsonl, probes/, summary.json) into the same sink, so a live log and an export of the
same run hold the same values.

Tags:
  train/loss, train/grad_norm                       every step
  eval/<field>, eval/<field>/<name>                 every number (or dict of numbers) in an eval
  baseline/<name>                                   the task's baselines from the run's summary
  probe/loss, probe/<block>/memory_horizon          every probe
  probe/<block>/grad_ratio/l<L>d<D>                 ‖∂L/∂h‖ first step over last step
  probe/<block>/spectral_radius/<gate>/l<L>d<D>     of each gate's block of W_hh
  probe/<block>/saturation_{low,high}/<gate>/l<L>d<D>
  gates/<block>/<gate>/l<L>d<D>                     image: units × time steps of the first probe
                                                    sample, on the gate's (0, 1) scale

`tensorboard` is an optional extra (pip install "recurrent-studio[tensorboard]").
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from .errors import UserError

NOT_INSTALLED = (
    "TensorBoard output needs the 'tensorboard' package; install it with "
    "pip install 'recurrent-studio[tensorboard]' (make install does)"
)
SKIPPED_EVAL_FIELDS = ("type", "step")


class TensorBoardError(UserError):
    """TensorBoard output that cannot be written; the message says what to do."""


def summary_writer(log_dir: Path):
    try:
        from torch.utils.tensorboard import SummaryWriter
    except ImportError:  # torch raises this when the tensorboard package is missing
        raise TensorBoardError(NOT_INSTALLED) from None
    return SummaryWriter(log_dir=str(log_dir))


class TensorBoardSink:
    """Writes a run's events as TensorBoard scalars and images; call `close` at the end."""

    def __init__(self, log_dir: Path | str):
        self.log_dir = Path(log_dir)
        self.writer = summary_writer(self.log_dir)
        self.last_step = 0

    def __call__(self, event: dict[str, Any]) -> None:
        kind = event.get("type")
        if kind == "step":
            self.last_step = step = event["step"]
            self._scalar("train/loss", event["loss"], step)
            self._scalar("train/grad_norm", event["grad_norm"], step)
        elif kind == "eval":
            self._eval(event)
        elif kind == "probe":
            self._probe(event["probe"], event["step"])
        elif kind == "done":
            self.baselines(event["summary"])
            self.writer.flush()

    def baselines(self, summary: dict[str, Any]) -> None:
        """The baselines as flat lines over the run (from step 0 to its last step)."""
        values = dict(summary.get("baselines") or {})
        if summary.get("baseline_loss") is not None:
            values.setdefault("loss", summary["baseline_loss"])
        for name, value in values.items():
            for step in sorted({0, summary.get("steps") or self.last_step}):
                self._scalar(f"baseline/{name}", value, step)

    def close(self) -> None:
        self.writer.close()

    def _eval(self, event: dict[str, Any]) -> None:
        for field, value in event.items():
            if field in SKIPPED_EVAL_FIELDS:
                continue
            if isinstance(value, dict):
                for name, inner in value.items():
                    self._scalar(f"eval/{field}/{name}", inner, event["step"])
            else:
                self._scalar(f"eval/{field}", value, event["step"])

    def _probe(self, record: dict[str, Any], step: int) -> None:
        self._scalar("probe/loss", record.get("loss"), step)
        for block_id, block in record["blocks"].items():
            prefix = f"probe/{block_id}"
            self._scalar(f"{prefix}/memory_horizon", block.get("memory_horizon"), step)
            self._per_layer(f"{prefix}/grad_ratio", block.get("grad_ratio"), step)
            for key in ("spectral_radius", "saturation_low", "saturation_high"):
                for gate, values in (block.get(key) or {}).items():
                    self._per_layer(f"{prefix}/{key}/{gate}", values, step)
            for gate, sample in (block.get("gate_sample") or {}).items():
                self._gate_images(f"gates/{block_id}/{gate}", sample, block["gate_kinds"][gate], step)

    def _per_layer(self, tag: str, values, step: int) -> None:
        if values is None:
            return
        for (layer, direction), value in np.ndenumerate(np.asarray(values, dtype=np.float64)):
            self._scalar(f"{tag}/l{layer}d{direction}", value, step)

    def _gate_images(self, tag: str, sample, kind: str, step: int) -> None:
        sample = np.asarray(sample, dtype=np.float32)  # (L, D, T, H)
        for layer in range(sample.shape[0]):
            for direction in range(sample.shape[1]):
                image = on_unit_scale(sample[layer, direction].T, kind)  # (H, T): units down, time across
                self.writer.add_image(f"{tag}/l{layer}d{direction}", image, step, dataformats="HW")

    def _scalar(self, tag: str, value, step: int) -> None:
        if isinstance(value, bool) or value is None:
            return
        try:
            number = float(value)
        except (TypeError, ValueError):
            return  # text fields such as metric_name
        self.writer.add_scalar(tag, number, step)


def on_unit_scale(values: np.ndarray, kind: str) -> np.ndarray:
    """A gate's values on (0, 1), as the GUI's heatmaps show them: sigmoid gates as they are,
    tanh-valued ones as (v + 1) / 2, an RNN's pre-activation through tanh first."""
    if kind == "preactivation":
        values = np.tanh(values)
    scaled = values if kind == "sigmoid" else (values + 1) / 2
    return np.clip(scaled, 0.0, 1.0)


def export_run(run_dir: Path | str, out_dir: Path | str | None = None) -> Path:
    """Write a run folder's recorded events as TensorBoard event files under `out_dir`
    (default: RUN_DIR/tensorboard); returns that folder."""
    from .probe_store import load_probes
    from .runs import load_run

    run = load_run(run_dir)
    target = Path(out_dir) if out_dir else run.path / "tensorboard"
    sink = TensorBoardSink(target)
    try:
        events = sorted(run.steps + run.evals, key=lambda event: (event.get("step", 0), event.get("type") != "step"))
        for event in events:
            sink(event)
        for record in load_probes(run.path):
            sink({"type": "probe", "step": record["step"], "probe": record})
        sink({"type": "done", "summary": run.summary})
    finally:
        sink.close()
    return target
