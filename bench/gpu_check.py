"""The GPU path, checked: `python -m bench gpu_check` (or `python -m bench.gpu_check`).

On a machine with a CUDA GPU:
1. every example project in projects/ trains STEPS steps on the GPU and on the CPU from the
   same seed (float32, TF32 off); their step losses must agree to LOSS_RTOL relative
   (cuDNN's kernels sum in another order than the CPU's);
2. the same examples train STEPS steps in bf16 and fp16 mixed precision: every loss finite
   and the last within MIXED_RTOL of the float32 run's;
3. the compiled model against the same model written by hand (bench.training_step's
   HandWritten) on cuDNN, forward + backward + Adam, interleaved: ratio of medians <= 1.05;
4. probe overhead: steps per second with a probe every PROBE_EVERY steps against none;
5. with more than one GPU, `--nproc 2` on NCCL against one GPU: losses to LOSS_RTOL.
It prints one table. Without a CUDA GPU it prints one line and returns {"skipped": ...}.
"""

from __future__ import annotations

import math
import sys
import tempfile
import time
from pathlib import Path

import torch

from engine.project import load_project
from engine.settings import check_training
from engine.training import RunControl, _Run, train

from .common import interleave, median, print_table
from .training_step import FULL, adding_project, core_step, hand_written_copy

PROJECTS = Path(__file__).resolve().parents[1] / "projects"
STEPS = 20
LOSS_RTOL = 1e-3
MIXED_RTOL = 5e-2
COMPILED_TARGET = 1.05
PROBE_EVERY = 10
QUICK_STEPS = 4


def run(quick: bool = False) -> dict:
    if not torch.cuda.is_available():
        message = (
            f"gpu_check: skipped, no CUDA GPU on this machine (torch {torch.__version__}, CUDA {torch.version.cuda})"
        )
        print(message)
        return {"skipped": message}
    torch.backends.cuda.matmul.allow_tf32 = False  # float32 on both sides of the comparison
    torch.backends.cudnn.allow_tf32 = False
    steps = QUICK_STEPS if quick else STEPS
    rows = [("check", "case", "figure", "tolerance or target", "verdict")]
    results = {"device": torch.cuda.get_device_name(0), "gpus": torch.cuda.device_count(), "checks": []}
    for path in sorted(PROJECTS.glob("*.rsproj")):
        results["checks"] += examples_on_cuda(path, steps)
    results["checks"].append(compiled_against_hand_written(quick))
    results["checks"].append(probe_overhead(steps * 5))
    if torch.cuda.device_count() > 1:
        results["checks"].append(ddp_on_nccl(steps))
    for check in results["checks"]:
        rows.append((check["check"], check["case"], check["figure"], check["target"], check["verdict"]))
    print_table(f"GPU check on {results['device']} ({results['gpus']} GPU), {steps} steps per run", rows)
    results["all_passed"] = all(check["verdict"] == "ok" for check in results["checks"])
    return results


def losses(project, steps: int, **overrides) -> list[float]:
    events: list[dict] = []
    settings = {"probe_every": 0, "eval_every": 1_000_000, **overrides}
    train(project, events.append, steps=steps, record=False, overrides=settings)
    return [event["loss"] for event in events if event["type"] == "step"]


def worst_relative(candidate: list[float], reference: list[float]) -> float:
    return max(abs(c - r) / max(abs(r), 1e-12) for c, r in zip(candidate, reference))


def check(name: str, case: str, figure: float, target: str, passed: bool) -> dict:
    return {"check": name, "case": case, "figure": figure, "target": target, "verdict": "ok" if passed else "FAILED"}


def examples_on_cuda(path: Path, steps: int) -> list[dict]:
    project = load_project(path)
    cpu = losses(project, steps, device="cpu")
    gpu = losses(project, steps, device="cuda")
    gap = worst_relative(gpu, cpu)
    found = [check("cuda vs cpu, float32", path.stem, gap, f"<= {LOSS_RTOL:g} relative", gap <= LOSS_RTOL)]
    for precision in ("bf16", "fp16"):
        if precision == "bf16" and not torch.cuda.is_bf16_supported():
            continue
        mixed = losses(project, steps, device="cuda", precision=precision)
        finite = all(math.isfinite(loss) for loss in mixed)
        gap = abs(mixed[-1] - gpu[-1]) / max(abs(gpu[-1]), 1e-12)
        target = f"finite, last <= {MIXED_RTOL:g} relative"
        found.append(check(f"{precision} vs float32", path.stem, gap, target, bool(finite) and gap <= MIXED_RTOL))
    return found


def prepared_cuda_run(project) -> _Run:
    settings = check_training({**project.training, "device": "cuda"})
    run = _Run(project, settings, lambda event: None, RunControl())
    run._prepare()
    return run


def compiled_against_hand_written(quick: bool) -> dict:
    size = {**FULL, "repeats": 5 if quick else 41}
    run = prepared_cuda_run(adding_project("LSTM", 1, False, size))
    compiled = run.model
    baseline = hand_written_copy(compiled.cpu(), "LSTM", 1, False, size["hidden"]).cuda()
    compiled.cuda()
    for module in (compiled, baseline):
        for rnn in module.modules():
            if isinstance(rnn, torch.nn.RNNBase):
                rnn.flatten_parameters()  # the moves above split cuDNN's weight chunk
    x, y = run.x_train[: size["batch"]], run.y_train[: size["batch"]]
    lr = run.settings["learning_rate"]
    optimizers = {"compiled": torch.optim.Adam(compiled.parameters(), lr=lr)}
    optimizers["hand"] = torch.optim.Adam(baseline.parameters(), lr=lr)

    def synchronised(model, name):
        def step():
            core_step(model, optimizers[name], x, y)
            torch.cuda.synchronize()

        return step

    times = interleave(
        {"compiled": synchronised(compiled, "compiled"), "hand": synchronised(baseline, "hand")},
        size["repeats"],
        warmup=3,
    )
    ratio = median(times["compiled"]) / median(times["hand"])
    case = f"LSTM {size['hidden']}, batch {size['batch']}, length {size['length']}"
    return check("compiled / hand-written, cuDNN", case, ratio, f"<= {COMPILED_TARGET}", ratio <= COMPILED_TARGET)


def probe_overhead(steps: int) -> dict:
    project = load_project(PROJECTS / "adding_lstm.rsproj")
    rates = {}
    for every in (0, PROBE_EVERY):
        events: list[tuple[float, dict]] = []
        overrides = {"device": "cuda", "probe_every": every, "eval_every": 1_000_000}
        train(
            project,
            lambda e, store=events: store.append((time.perf_counter(), e)),
            steps=steps,
            record=False,
            overrides=overrides,
        )
        stamps = [stamp for stamp, event in events if event["type"] == "step"]
        rates[every] = (len(stamps) - 1) / (stamps[-1] - stamps[0])
    slowdown = rates[0] / rates[PROBE_EVERY]
    return check(f"probe every {PROBE_EVERY} steps", "adding_lstm", slowdown, "reported (slowdown)", True)


def ddp_on_nccl(steps: int) -> dict:
    from engine.distributed import Launch, train_distributed

    project = load_project(PROJECTS / "adding_lstm.rsproj")
    alone = losses(project, steps, device="cuda")
    events: list[dict] = []
    overrides = {"device": "cuda", "probe_every": 0, "eval_every": 1_000_000}
    with tempfile.TemporaryDirectory() as runs_dir:  # rank 0 writes a run folder
        launch = Launch(nproc=2, backend="nccl")
        train_distributed(project, launch, events.append, steps=steps, runs_dir=Path(runs_dir), overrides=overrides)
    spread = [event["loss"] for event in events if event["type"] == "step"]
    gap = worst_relative(spread, alone)
    return check("2 GPUs (NCCL) vs 1 GPU", "adding_lstm", gap, f"<= {LOSS_RTOL:g} relative", gap <= LOSS_RTOL)


if __name__ == "__main__":
    outcome = run(quick="--quick" in sys.argv[1:])
    sys.exit(0 if outcome.get("skipped") or outcome.get("all_passed") else 1)
