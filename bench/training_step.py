"""Training step: the compiled graph against the same model written by hand in PyTorch.

For LSTM, GRU and RNN (one layer, hidden 128, last state) and a 2-layer bidirectional LSTM,
a graph SequenceInput -> recurrent block -> Regression is compiled with
engine.compiler.compile_graph, and a hand-written nn.LSTM/GRU/RNN + nn.Linear gets the
same weights (checked: same predictions). Both then train on the same adding-problem
batches (batch 64, length 100, 2 features) with Adam, alternating in one process.

Two paths are timed, each against a baseline doing exactly the same work:
- "core":    zero_grad, forward, MSE loss, backward, Adam step, on one fixed batch.
- "trainer": engine.training's own `_Run._train_step` (draw a shuffled batch, index it,
             zero_grad, forward, loss, backward, clip_grad_norm_(1.0), loss.item(), Adam
             step) against a hand-written loop doing the same with the same sampler.
Target: median ratio (compiled / hand-written) <= 1.05, judged on the median of the
per-repetition ratios (each compiled step against the hand-written step next to it, which
cancels load that drifts over the run); the ratio of the two medians is shown beside it.
Because both sides run the same PyTorch kernels, the engine's own cost is a fixed overhead
per step; it is measured at tiny sizes, where compute is negligible, and turned into the
ratio it implies at full size: a check on the noisy full-size figure.
"""

from __future__ import annotations

import math
import time

import torch
from torch import nn

from engine.project import Project
from engine.settings import check_training
from engine.training import BatchSampler, RunControl, _Run

from .common import interleave, median, paired_ratio, print_table, ratio

TARGET_RATIO = 1.05
CASES = (("LSTM", 1, False), ("GRU", 1, False), ("RNN", 1, False), ("LSTM", 2, True))
# repeats: the least number of interleaved rounds; budget: seconds to fill with more rounds.
FULL = {"hidden": 128, "length": 100, "batch": 64, "repeats": 21, "inner": 1, "budget": 8.0}
TINY = {"hidden": 4, "length": 2, "batch": 2, "repeats": 101, "inner": 5, "budget": 2.0}
QUICK = {"hidden": 16, "length": 10, "batch": 8, "repeats": 3, "inner": 1, "budget": 0.0}
QUICK_TINY = {"hidden": 4, "length": 2, "batch": 2, "repeats": 3, "inner": 2, "budget": 0.0}


class HandWritten(nn.Module):
    """What a PyTorch user would write: a fused recurrent layer and a linear head."""

    def __init__(self, cell: str, features: int, hidden: int, layers: int, bidirectional: bool):
        super().__init__()
        self.rnn = getattr(nn, cell)(features, hidden, num_layers=layers, batch_first=True, bidirectional=bidirectional)
        self.head = nn.Linear(hidden * (2 if bidirectional else 1), 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # x: (B, T, F)
        _, h_n = self.rnn(x)
        h_n = h_n[0] if isinstance(h_n, tuple) else h_n  # (layers * directions, B, H)
        last = torch.cat([h_n[-2], h_n[-1]], dim=-1) if self.rnn.bidirectional else h_n[-1]
        return self.head(last)  # (B, 1)

    def loss(self, prediction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return nn.functional.mse_loss(prediction, target)


def adding_project(cell: str, layers: int, bidirectional: bool, size: dict) -> Project:
    project = Project(
        data={
            "task": "adding",
            "params": {"length": size["length"], "n_train": 16 * size["batch"], "n_val": size["batch"]},
        },
        name="training step bench",
    )
    project.refresh_signature()
    doc = project.graph
    doc.add_node("SequenceInput", node_id="sequence")
    doc.add_node(
        cell,
        {"hidden_size": size["hidden"], "layers": layers, "bidirectional": bidirectional, "output": "last"},
        node_id="memory",
    )
    doc.add_node("Regression", node_id="head")
    doc.connect("sequence", "out", "memory", "in")
    doc.connect("memory", "out", "head", "in")
    project.training.update({"batch_size": size["batch"], "learning_rate": 1e-3, "probe_every": 0})
    return project


def hand_written_copy(compiled: nn.Module, cell: str, layers: int, bidirectional: bool, hidden: int) -> HandWritten:
    """A HandWritten model holding the compiled model's weights (parameter order matches)."""
    model = HandWritten(cell, 2, hidden, layers, bidirectional)
    names = list(model.state_dict())
    values = list(compiled.state_dict().values())
    assert [v.shape for v in values] == [model.state_dict()[n].shape for n in names]
    model.load_state_dict(dict(zip(names, values)))
    return model


def core_step(model, optimizer, x, y) -> None:
    optimizer.zero_grad(set_to_none=True)
    model.loss(model(x), y).backward()
    optimizer.step()


def trainer_like_step(model, optimizer, sampler, x_all, y_all, clip: float) -> tuple[float, float]:
    """The hand-written twin of engine.training._Run._train_step."""
    index = sampler.next()
    xb, yb = x_all[index], y_all[index]
    optimizer.zero_grad(set_to_none=True)
    loss = model.loss(model(xb), yb)
    loss.backward()
    grad_norm = float(torch.nn.utils.clip_grad_norm_(model.parameters(), clip))
    value = loss.item()
    if math.isfinite(value) and math.isfinite(grad_norm):
        optimizer.step()
    return value, grad_norm


def prepared_run(project: Project) -> _Run:
    settings = check_training({**project.training, "device": "cpu"})
    run = _Run(project, settings, lambda event: None, RunControl())
    run._prepare()
    return run


def measure(cell: str, layers: int, bidirectional: bool, size: dict) -> dict:
    """Both paths, compiled against hand-written, at one size."""
    run = prepared_run(adding_project(cell, layers, bidirectional, size))
    compiled = run.model
    baseline = hand_written_copy(compiled, cell, layers, bidirectional, size["hidden"])
    x, y = run.x_train[: size["batch"]], run.y_train[: size["batch"]]
    with torch.no_grad():
        parity = (compiled(x) - baseline(x)).abs().max().item()
    lr, clip = run.settings["learning_rate"], run.settings["grad_clip"]
    base_opt, core_opt = torch.optim.Adam(baseline.parameters(), lr=lr), torch.optim.Adam(compiled.parameters(), lr=lr)
    base_sampler = BatchSampler(len(run.x_train), size["batch"], run.settings["seed"])  # the same batches
    core = {
        "compiled": lambda: core_step(compiled, core_opt, x, y),
        "hand": lambda: core_step(baseline, base_opt, x, y),
    }
    trainer = {
        "compiled": run._train_step,
        "hand": lambda: trainer_like_step(baseline, base_opt, base_sampler, run.x_train, run.y_train, clip),
    }
    core, trainer = (interleave(calls, repeats_for(calls, size), size["inner"], warmup=2) for calls in (core, trainer))
    return {
        "parameters": run.parameter_count,
        "max_prediction_difference": parity,
        "repeats": len(core["hand"]),
        "core": summarise(core),
        "trainer": summarise(trainer),
    }


def repeats_for(calls: dict, size: dict) -> int:
    """At least size["repeats"] rounds, more for cheap steps: as many as fill size["budget"]
    seconds (one untimed round estimates the cost; it also warms up)."""
    started = time.perf_counter()
    for call in calls.values():
        for _ in range(size["inner"]):
            call()
    return max(size["repeats"], int(size["budget"] / (time.perf_counter() - started)))


def bench_case(cell: str, layers: int, bidirectional: bool, size: dict, tiny: dict) -> dict:
    """The full-size comparison, plus the compiled model's fixed cost per step measured where
    compute is negligible (tiny sizes, many repetitions): it says how much of a full-size
    ratio is the engine and how much is the machine's noise."""
    full = measure(cell, layers, bidirectional, size)
    small = measure(cell, layers, bidirectional, tiny)
    for path in ("core", "trainer"):
        overhead = small[path]["compiled_median"] - small[path]["hand_median"]
        full[path]["overhead_seconds"] = overhead
        full[path]["implied_ratio"] = 1 + overhead / full[path]["hand_median"]
    return {"model": describe_case(cell, layers, bidirectional), **full, "tiny": small}


def summarise(times: dict[str, list[float]]) -> dict:
    return {
        "compiled_seconds": times["compiled"],
        "hand_seconds": times["hand"],
        "compiled_median": median(times["compiled"]),
        "hand_median": median(times["hand"]),
        "ratio": ratio(times["compiled"], times["hand"]),
        "paired_ratio": paired_ratio(times["compiled"], times["hand"]),
    }


def describe_case(cell: str, layers: int, bidirectional: bool) -> str:
    return f"{cell}" + (f" {layers}-layer" if layers > 1 else "") + (" bidirectional" if bidirectional else "")


def run(quick: bool = False) -> dict:
    size, tiny = (QUICK, QUICK_TINY) if quick else (FULL, TINY)
    cases = [bench_case(cell, layers, bi, size, tiny) for cell, layers, bi in CASES]
    print_table(
        f"Training step, batch {size['batch']}, length {size['length']}, hidden {size['hidden']}, Adam; "
        f"medians of >= {size['repeats']} interleaved steps (more for cheaper models, {size['budget']:g} s "
        f"per path); overhead from tiny steps; torch threads {torch.get_num_threads()}",
        table(cases),
    )
    worst = max(case[path]["paired_ratio"] for case in cases for path in ("core", "trainer"))
    return {
        "size": size,
        "tiny_size": tiny,
        "target_ratio": TARGET_RATIO,
        "verdict_statistic": "paired_ratio",
        "worst_ratio": worst,
        "target_met": worst <= TARGET_RATIO,
        "cases": cases,
        "included": {
            "core": "zero_grad, forward, MSE, backward, Adam step on one fixed batch",
            "trainer": "engine.training._Run._train_step: sample + index a batch, zero_grad, "
            "forward, loss, backward, clip_grad_norm_, loss.item(), Adam step; "
            "the hand-written loop does the same",
        },
    }


def table(cases: list[dict]) -> list[tuple]:
    rows = [
        (
            "model",
            "path",
            "compiled",
            "hand-written",
            "ratio of medians",
            "paired ratio",
            "overhead",
            "implied ratio",
            f"<= {TARGET_RATIO}",
        )
    ]
    for case in cases:
        for path in ("core", "trainer"):
            r = case[path]
            rows.append(
                (
                    case["model"],
                    path,
                    f"{1000 * r['compiled_median']:.2f} ms",
                    f"{1000 * r['hand_median']:.2f} ms",
                    f"{r['ratio']:.3f}",
                    f"{r['paired_ratio']:.3f}",
                    f"{1e6 * r['overhead_seconds']:.0f} us",
                    f"{r['implied_ratio']:.4f}",
                    "met" if r["paired_ratio"] <= TARGET_RATIO else "MISSED",
                )
            )
    return rows
