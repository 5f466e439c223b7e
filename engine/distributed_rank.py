"""One worker process of a data-parallel run (see engine.distributed for the whole picture).

`worker_main` is what torchrun's agent starts: it connects back to its machine's launcher,
receives the job, joins the process group and trains through engine.training's `train` with
a `RankSeam`, the object through which `train` slices batches, wraps the model in
DistributedDataParallel and agrees with the other ranks on pausing and stopping.

Ranks agree at the top of each step through one broadcast from rank 0 (RUN, PAUSE or STOP).
While paused, rank 0 repeats PAUSE every HEARTBEAT_SECONDS, so no rank waits in a collective
long enough to time out; rank 0 may also end a run alone (its own evaluation), so after
`train` every rank that has not been told STOP takes part in one closing broadcast.
"""

from __future__ import annotations

import importlib
import os
import sys
import threading
from datetime import timedelta
from multiprocessing.connection import Client
from pathlib import Path
from typing import Any

import torch
from torch import nn

from .training import RunControl, RunResult, train

RUN, PAUSE, STOP = 0, 1, 2  # what rank 0 tells the others at the top of each step
HEARTBEAT_SECONDS = 1.0
COLLECTIVE_TIMEOUT = timedelta(minutes=30)  # rank 0 may evaluate or probe while others wait


class RankSeam:
    """One rank's part in a data-parallel run, as engine.training's `train` asks for it."""

    def __init__(self, rank: int, world: int, control: RunControl, device: torch.device, backend: str):
        self.rank, self.world, self.lead = rank, world, rank == 0
        self.control, self.device = control, device  # where this rank trains
        # NCCL reduces only GPU tensors; gloo is happiest with CPU ones.
        self.collectives = device if backend == "nccl" else torch.device("cpu")
        self.ended_by_lead = False  # the last agreement was STOP: no closing broadcast needed

    def wrap(self, model: nn.Module) -> nn.Module:
        """The module to call for training steps: `model` under DistributedDataParallel."""
        from torch.nn.parallel import DistributedDataParallel

        if not self.lead:  # the same initial weights (seeded before), but dropout masks of its own
            torch.manual_seed(torch.initial_seed() + self.rank)
        device_ids = [self.device.index or 0] if self.device.type == "cuda" else None
        # Only blocks on the loss path are compiled (engine.compiler), so every parameter
        # gets a gradient and DDP need not search for unused ones.
        wrapped = DistributedDataParallel(model, device_ids=device_ids)
        for module in model.modules():
            if isinstance(module, nn.RNNBase):
                module.flatten_parameters()  # cuDNN wants one contiguous weight chunk per module
        return wrapped

    def shard(self, index: torch.Tensor) -> tuple[torch.Tensor, float]:
        """This rank's slice of the batch, and the weight that makes the ranks' mean gradient
        the whole batch's mean gradient when slices differ in size."""
        mine = torch.tensor_split(index, self.world)[self.rank]
        return mine, self.world * len(mine) / len(index)

    def mean_over_ranks(self, value: float) -> float:
        import torch.distributed as dist

        total = torch.tensor([value], dtype=torch.float64, device=self.collectives)
        dist.all_reduce(total)
        return float(total) / self.world

    def carry_on(self, wait_while_paused) -> bool:
        """Called by every rank before every step; False when the run must stop."""
        if self.lead:
            code = self._broadcast(self._lead_code())
            if code == PAUSE:
                code = self._pause(wait_while_paused)
        else:
            code = self._broadcast(RUN)
            while code == PAUSE:
                code = self._broadcast(RUN)
        if code == STOP:
            self.ended_by_lead = True
            self.control.stop()
        return code != STOP

    def finish(self) -> None:
        """Tell ranks still waiting for the next step that the run is over (rank 0 may end a
        run alone, e.g. on its own evaluation); every rank calls this once after `train`."""
        if not self.ended_by_lead:
            self._broadcast(STOP)

    def _lead_code(self) -> int:
        return STOP if self.control.stopped else PAUSE if self.control.paused else RUN

    def _pause(self, wait_while_paused) -> int:
        beating = threading.Event()
        heart = threading.Thread(target=self._heartbeat, args=(beating,), daemon=True)
        heart.start()
        wait_while_paused()  # rank 0's own wait: it emits the paused and resumed events
        beating.set()
        heart.join()
        return self._broadcast(STOP if self.control.stopped else RUN)

    def _heartbeat(self, beating: threading.Event) -> None:
        while not beating.wait(HEARTBEAT_SECONDS):
            self._broadcast(PAUSE)

    def _broadcast(self, code: int) -> int:
        import torch.distributed as dist

        flag = torch.tensor([code], dtype=torch.int32, device=self.collectives)
        dist.broadcast(flag, src=0)
        return int(flag)


def worker_main(argv: list[str] | None = None) -> None:
    """A worker's entry point: `python -c ... HOST PORT AUTHKEY THREADS` under the elastic agent."""
    host, port, authkey, threads = argv or sys.argv[1:]
    rank = int(os.environ["RANK"])
    connection = Client((host, int(port)), authkey=bytes.fromhex(authkey))
    connection.send({"rank": rank})
    job = connection.recv()
    torch.set_num_threads(int(threads))
    try:
        result = _train_rank(job, connection, rank)
    except BaseException as error:  # tell the launcher why, then leave without a traceback
        connection.send({"type": "error", "message": _describe(error, rank)})
        connection.close()
        _leave(1)
    connection.send({"type": "result", "status": result.status, "steps": result.steps, "message": result.message})
    connection.close()
    _leave(0)


def _leave(code: int) -> None:
    """Exit at once: torch's native threads can abort ("terminate called without an active
    exception") in the interpreter's own shutdown of a worker whose work is done."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _train_rank(job: dict[str, Any], connection, rank: int) -> RunResult:
    import torch.distributed as dist

    from .project import project_from_dict

    device = torch.device("cpu")
    if job["on_cuda"]:
        device = torch.device("cuda", int(os.environ["LOCAL_RANK"]))
        torch.cuda.set_device(device)  # "cuda" in the settings means this rank's own GPU
    dist.init_process_group(job["backend"], timeout=COLLECTIVE_TIMEOUT)
    control = RunControl()
    if rank == 0:
        threading.Thread(target=_listen, args=(connection, control), name="commands", daemon=True).start()
    seam = RankSeam(rank, dist.get_world_size(), control, device, job["backend"])
    try:
        result = train(
            project_from_dict(job["project"], job["path"]),
            _sender(connection) if rank == 0 else None,
            control,
            steps=job["steps"],
            runs_dir=Path(job["runs_dir"]) if job["runs_dir"] else None,
            record=rank == 0,
            overrides=job["overrides"],
            on_evaluate=_function(job["on_evaluate"]) if rank == 0 else None,
            parallel=seam,
        )
        seam.finish()
        return result
    finally:
        dist.destroy_process_group()


def _function(name: str | None):
    """A module-level function named "module:qualname" by the launcher (its own code, not a file's)."""
    if name is None:
        return None
    module, _, qualname = name.partition(":")
    return getattr(importlib.import_module(module), qualname)


def _sender(connection):
    def send(event: dict[str, Any]) -> None:
        connection.send(event)

    return send


def _listen(connection, control: RunControl) -> None:
    """Apply the launcher's commands to rank 0's control; a launcher gone means stop."""
    actions = {"pause": control.pause, "resume": control.resume, "stop": control.stop}
    while True:
        try:
            command = connection.recv()
        except (EOFError, OSError):
            control.stop()
            return
        actions.get(command, lambda: None)()


def _describe(error: BaseException, rank: int) -> str:
    from .errors import UserError

    if isinstance(error, UserError):
        return str(error)
    return f"unexpected error in training process rank {rank}: {type(error).__name__}: {error}"
