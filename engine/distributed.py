"""Data-parallel training on PyTorch's own stack: torchrun's elastic agent starts the worker
processes, DistributedDataParallel keeps their weights in step.

Two halves:
- The launcher (`train_distributed`, in the CLI's or the GUI child's process) checks the
  request, listens on a local socket, and runs `torch.distributed.launcher.elastic_launch`
  with this machine's share of the processes. Each worker connects back to the launcher of
  its own machine and receives the job (the project as a dict, never a module). The worker
  with global rank 0 streams the run's events back over that connection and takes pause and
  stop commands from it; whichever machine holds rank 0 gets the events.
- The workers (engine.distributed_rank) train through `train` with a `RankSeam`:
  every rank draws the same seeded batch order and trains on its slice of each batch, so the
  batch size stays the global batch and N processes follow the single-process losses. Rank 0
  alone evaluates, probes, writes the run folder and emits events.

A rank that dies makes the elastic agent stop the others; the launcher names it.
"""

from __future__ import annotations

import logging
import os
import secrets
import signal
import socket
import sys
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Listener
from pathlib import Path
from typing import Any

import torch

from .precision import check_precision
from .settings import check_training
from .training import RunControl, RunResult, TrainingError, train

PROCESSES_PER_CORE_LIMIT = 4  # more than this many processes per core is refused outright
ROOT = Path(__file__).resolve().parents[1]  # the folder holding the engine package


@dataclass
class Launch:
    """How one machine takes part in a run: torchrun's options, passed through."""

    nproc: int = 1  # worker processes on this machine
    nnodes: int = 1
    node_rank: int = 0
    rdzv_endpoint: str | None = None  # host:port of node 0, for several machines
    join_timeout: float = 60.0  # seconds to wait for the other machines
    backend: str = "auto"  # auto, gloo, nccl
    threads: int | None = None  # torch threads per process (default: this machine's cores shared out)

    def __post_init__(self) -> None:
        if self.nproc < 1 or self.nnodes < 1:
            raise TrainingError("--nproc and --nnodes must be at least 1")
        if not 0 <= self.node_rank < self.nnodes:
            raise TrainingError(f"--node-rank must be between 0 and {self.nnodes - 1} (--nnodes {self.nnodes})")
        if not self.join_timeout > 0:
            raise TrainingError("--join-timeout must be a positive number of seconds")

    @property
    def distributed(self) -> bool:
        return self.nproc > 1 or self.nnodes > 1


def check_launch(launch: Launch, settings: dict[str, Any], warn=None) -> str:
    """The process-group backend for `launch`; raises TrainingError on a request that cannot
    work and calls `warn(text)` on one that will work badly."""
    cores = os.cpu_count() or 1
    if launch.nproc > PROCESSES_PER_CORE_LIMIT * cores:
        raise TrainingError(
            f"--nproc {launch.nproc} is far more than this machine's {cores} cores; "
            f"use at most {PROCESSES_PER_CORE_LIMIT * cores} (one per core is best)"
        )
    if launch.nproc > cores and warn:
        warn(f"--nproc {launch.nproc} exceeds this machine's {cores} cores; the processes will compete for them")
    if launch.nnodes > 1:
        _check_endpoint(launch.rdzv_endpoint)
    world = launch.nproc * launch.nnodes
    if settings["batch_size"] < world:
        raise TrainingError(
            f"the batch size {settings['batch_size']} cannot be split over {world} processes; "
            f"use a batch size of at least {world} or fewer processes"
        )
    if world > 1 and settings.get("lr_schedule") == "plateau":
        # Only rank 0 evaluates, so only rank 0 would see the plateau and lower its rate.
        raise TrainingError("the 'plateau' learning-rate schedule needs one process; use 'cosine' or 'constant'")
    backend = _check_backend(launch, settings["device"])
    check_precision(settings["precision"], "cuda" if _wants_cuda(settings["device"]) else "cpu")
    return backend


def _check_endpoint(endpoint: str | None) -> tuple[str, int]:
    host, _, port = (endpoint or "").rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        given = f"--rdzv-endpoint {endpoint!r} is not HOST:PORT" if endpoint else "--rdzv-endpoint is missing"
        raise TrainingError(f"{given}; several machines need node 0's address, e.g. --rdzv-endpoint 10.0.0.1:29500")
    try:
        socket.getaddrinfo(host, int(port))
    except OSError:
        raise TrainingError(f"--rdzv-endpoint: the host '{host}' cannot be found; check the address") from None
    return host, int(port)


def _wants_cuda(device: str) -> bool:
    return device == "cuda" or (device == "auto" and torch.cuda.is_available())


def _check_backend(launch: Launch, device: str) -> str:
    cuda = torch.cuda.is_available()
    if launch.backend not in ("auto", "gloo", "nccl"):
        raise TrainingError(f"unknown backend '{launch.backend}'; choose auto, gloo or nccl")
    wants_cuda = _wants_cuda(device)
    if launch.backend == "nccl" and not cuda:
        raise TrainingError("the NCCL backend needs CUDA GPUs and this machine has none; use --backend gloo")
    if launch.backend == "nccl" and device == "cpu":
        raise TrainingError("the NCCL backend trains on GPUs, but the device setting is 'cpu'; use --backend gloo")
    if device == "cuda" and not cuda:
        raise TrainingError("device 'cuda' was chosen but no CUDA GPU is available; choose 'auto' or 'cpu'")
    if wants_cuda and launch.nproc > torch.cuda.device_count():
        raise TrainingError(
            f"--nproc {launch.nproc} needs one GPU per process, but this machine has {torch.cuda.device_count()}"
        )
    if launch.backend == "auto":
        return "nccl" if wants_cuda else "gloo"
    return launch.backend


def run_training(project, launch: Launch | None = None, on_event=None, control=None, warn=None, **options) -> RunResult:
    """Train in this process, or in several when `launch` asks for them (by default: as many as
    the project's 'processes' setting says). `options` are engine.training.train's."""
    settings = {**project.training, **(options.get("overrides") or {})}
    launch = launch or Launch(nproc=settings.get("processes", 1))
    if not launch.distributed:
        return train(project, on_event, control, **options)
    return train_distributed(project, launch, on_event, control, warn=warn, **options)


def train_distributed(
    project,
    launch: Launch,
    on_event=None,
    control: RunControl | None = None,
    steps: int | None = None,
    runs_dir: Path | None = None,
    overrides: dict[str, Any] | None = None,
    warn=None,
    on_evaluate=None,
) -> RunResult:
    """Train `project` over `launch`'s processes and machines; returns rank 0's result (on a
    machine without rank 0, this machine's). `on_evaluate` must be a module-level function:
    rank 0 imports it by name. Raises TrainingError with one line for the user."""
    settings = check_training({**project.training, **(overrides or {})})
    backend = check_launch(launch, settings, warn)
    job = {
        "project": project.to_dict(),
        "path": str(project.path) if project.path else None,
        "steps": steps,
        "runs_dir": str(runs_dir) if runs_dir else None,
        "overrides": overrides or {},
        "backend": backend,
        "on_cuda": _wants_cuda(settings["device"]),  # each rank then trains on the GPU of its local rank
        "on_evaluate": f"{on_evaluate.__module__}:{on_evaluate.__qualname__}" if on_evaluate else None,
    }
    threads = launch.threads or max(1, (os.cpu_count() or 1) // launch.nproc)
    with _Hub(job, on_event or (lambda event: None), control or RunControl()) as hub:
        _launch(launch, [*hub.worker_args(), str(threads)])
        return hub.result()


def _launch(launch: Launch, args: list[str]) -> None:
    from torch.distributed.elastic.multiprocessing.api import SignalException
    from torch.distributed.elastic.multiprocessing.errors import ChildFailedError
    from torch.distributed.launcher.api import LaunchConfig, elastic_launch

    config = LaunchConfig(
        min_nodes=launch.nnodes,
        max_nodes=launch.nnodes,
        nproc_per_node=launch.nproc,
        run_id="recurrent-studio",  # the same on every machine: their agents meet under this name
        max_restarts=0,
        monitor_interval=0.1,
        shutdown_timeout=5,
        **_rendezvous(launch),
    )
    if launch.nnodes > 1 and launch.node_rank > 0:
        _wait_for_node_zero(launch)
    code = (
        f"import sys; sys.path.insert(0, {str(ROOT)!r}); from engine.distributed_rank import worker_main; worker_main()"
    )
    # The agent logs every failure and signal (its loggers set their own levels); we report once.
    quiet = [logging.getLogger(name) for name in list(logging.root.manager.loggerDict) if name.startswith("torch.dist")]
    levels = [logger.level for logger in quiet]
    for logger in quiet:
        logger.setLevel(logging.CRITICAL)
    try:
        elastic_launch(config, sys.executable)("-c", code, *args)
    except ChildFailedError as error:
        raise _Failure(error) from None
    except SignalException:  # Ctrl-C or a terminate reached the agent, which has stopped the workers
        raise KeyboardInterrupt from None
    except Exception as error:  # the rendezvous: an endpoint that cannot be reached, a node that never joins
        raise TrainingError(_rendezvous_message(launch, error)) from None
    finally:
        for logger, level in zip(quiet, levels):
            logger.setLevel(level)


def _wait_for_node_zero(launch: Launch) -> None:
    """Poll node 0's port quietly (torch's own store client logs every failed try, in C++)."""
    host, port = _check_endpoint(launch.rdzv_endpoint)
    deadline = time.monotonic() + launch.join_timeout
    while True:
        try:
            socket.create_connection((host, port), timeout=max(0.1, min(2.0, deadline - time.monotonic()))).close()
            return
        except OSError as error:
            if time.monotonic() >= deadline:
                raise TrainingError(_rendezvous_message(launch, error)) from None
            time.sleep(0.25)


def _rendezvous(launch: Launch) -> dict[str, Any]:
    if launch.nnodes == 1 and not launch.rdzv_endpoint:  # torchrun --standalone
        return {"rdzv_backend": "c10d", "rdzv_endpoint": "localhost:0", "rdzv_configs": {"timeout": 30}}
    # torchrun's default backend: node 0 hosts the store at the endpoint, --node-rank orders the machines
    timeout = max(1, round(launch.join_timeout))
    return {
        "rdzv_backend": "static",
        "rdzv_endpoint": launch.rdzv_endpoint,
        "rdzv_configs": {"rank": launch.node_rank, "timeout": timeout},
    }


def _rendezvous_message(launch: Launch, error: Exception) -> str:
    detail = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    if launch.nnodes > 1 and launch.node_rank == 0:
        others = "1" if launch.nnodes == 2 else f"1 to {launch.nnodes - 1}"
        return (
            f"not every machine joined within {launch.join_timeout:g} s ({detail}); start the same command "
            f"with --node-rank {others} on the other machines, or raise --join-timeout"
        )
    if launch.nnodes > 1:
        return (
            f"could not reach node 0 at {launch.rdzv_endpoint} within {launch.join_timeout:g} s ({detail}); "
            "start node 0 first and check the address and that its port is open"
        )
    return f"the worker processes could not be started: {detail}"


class _Failure(TrainingError):
    """Raised inside the hub's context so it can put the right words on a failed run."""

    def __init__(self, error):
        super().__init__(str(error))
        self.failures = error.failures  # global rank -> ProcessFailure


class _Hub:
    """The launcher's end of the workers' connections: hands out the job, forwards rank 0's
    events, sends it the control's pause and stop, and remembers what each rank reported."""

    def __init__(self, job: dict[str, Any], on_event, control: RunControl):
        self.job, self.on_event, self.control = job, on_event, control
        self.authkey = secrets.token_bytes(16)
        self.listener = Listener(("127.0.0.1", 0), authkey=self.authkey)
        self.errors: dict[int, str] = {}  # rank -> message, in the order they arrived
        self.results: dict[int, dict[str, Any]] = {}
        self.done: dict[str, Any] | None = None
        self.lead = None  # the connection to rank 0, once it is known
        self._readers: list[threading.Thread] = []
        self._closed = threading.Event()

    def worker_args(self) -> list[str]:
        host, port = self.listener.address
        return [host, str(port), self.authkey.hex()]

    def __enter__(self) -> _Hub:
        threading.Thread(target=self._accept, name="hub-accept", daemon=True).start()
        threading.Thread(target=self._forward_control, name="hub-control", daemon=True).start()
        return self

    def __exit__(self, kind, error, trace) -> None:
        for reader in self._readers:
            reader.join(timeout=5)  # the workers have exited: their connections are closing
        self._closed.set()
        self.listener.close()
        if isinstance(error, _Failure):
            raise TrainingError(self._explain(error.failures)) from None

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                connection = self.listener.accept()
            except OSError:
                return  # the listener was closed, or a stranger failed the handshake
            reader = threading.Thread(target=self._serve, args=(connection,), daemon=True)
            self._readers.append(reader)
            reader.start()

    def _serve(self, connection) -> None:
        try:
            rank = connection.recv()["rank"]
            connection.send(self.job)
            if rank == 0:
                self.lead = connection
            while True:
                self._receive(rank, connection.recv())
        except (EOFError, OSError):
            return

    def _receive(self, rank: int, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if kind == "error":
            self.errors.setdefault(rank, message["message"])
        elif kind == "result":
            self.results[rank] = message
        else:
            if kind == "done":
                self.done = message
            self.on_event(message)

    def _forward_control(self) -> None:
        sent = "resume"
        while not self._closed.wait(0.1):
            wanted = "stop" if self.control.stopped else "pause" if self.control.paused else "resume"
            if wanted != sent and self.lead is not None:
                try:
                    self.lead.send(wanted)
                    sent = wanted
                except OSError:
                    return

    def _explain(self, failures: dict[int, Any]) -> str:
        silent = sorted(rank for rank in failures if rank not in self.errors)
        # The agent ends the others with SIGTERM once one has failed: those are not the cause.
        causes = [rank for rank in silent if failures[rank].exitcode != -signal.SIGTERM]
        if causes or not self.errors:  # died without a word: killed, out of memory, crashed in native code
            rank = (causes or silent)[0]
            failure = failures[rank]
            how = f"signal {failure.signal_name()}" if failure.exitcode < 0 else f"exit code {failure.exitcode}"
            return f"training process rank {rank} (pid {failure.pid}) died ({how}); the other processes were stopped"
        rank = next(iter(self.errors))  # the first to report; the others often only saw it go
        same_everywhere = len(set(self.errors.values())) == 1
        prefix = "" if rank == 0 or same_everywhere else f"training process rank {rank}: "
        return prefix + self.errors[rank]

    def result(self) -> RunResult:
        if self.done is not None:
            summary = self.done["summary"]
            run_dir = Path(self.done["run_dir"]) if self.done.get("run_dir") else None
            values = (summary.get("train_loss"), summary.get("val_loss"), summary.get("metric"))
            return RunResult(summary["status"], summary["steps"], run_dir, *values, summary["message"], summary)
        if not self.results:
            raise TrainingError("the worker processes ended without reporting a result")
        own = self.results[min(self.results)]  # a machine without rank 0: what its first rank saw
        return RunResult(own["status"], own["steps"], None, None, None, None, own["message"])
