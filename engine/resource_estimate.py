"""How much memory training a model will take, estimated before anything is allocated.

The estimate is for float32 training on the CPU's memory (a GPU's own memory is not asked:
that would mean importing torch to validate):
  weights           parameters × 4 bytes, plus their gradients and the last-good snapshot
  optimiser state   Adam keeps two numbers per parameter, SGD/RMSprop with momentum one
  activations       what the forward pass keeps for backward at batch × length: every block's
                    output and, inside each recurrent layer, its gates and states per step;
                    doubled for the gradients that flow back through them
It is meant to be right within a factor of two or so: enough to refuse a model that
cannot fit (a 1.5-billion-parameter LSTM) before the allocator kills the process, and to
warn about one that would leave the machine little room. Without training settings (the
compiler's check), only the batch-independent part is counted.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .safe_io import format_bytes

if TYPE_CHECKING:
    from .graph import GraphDocument
    from .shape_inference import ShapeInference

FLOAT_BYTES = 4
WARN_SHARE = 0.5  # warn when training would take more than this share of available memory
WARN_PARAMETERS = 100_000_000
_GATES = {"RNN": 1, "GRU": 3, "LSTM": 4}
_OPTIMISER_COPIES = {"adam": 2, "sgd": 1, "rmsprop": 2}  # state numbers per parameter (with momentum)


@dataclass(frozen=True)
class TrainingMemory:
    parameters: int
    weights: int  # bytes: weights, gradients and the last-good snapshot
    optimiser: int
    activations: int  # 0 when the batch size is unknown
    batch_size: int | None
    length: int | None

    @property
    def total(self) -> int:
        return self.weights + self.optimiser + self.activations

    def describe(self) -> str:
        """'about 1.2 GB (weights 400.0 MB, optimiser 300.0 MB, activations 500.0 MB at batch 64 × 100 steps)'"""
        parts = [f"weights {format_bytes(self.weights)}", f"optimiser {format_bytes(self.optimiser)}"]
        if self.batch_size is not None:
            parts.append(
                f"activations {format_bytes(self.activations)} at batch {self.batch_size} × {self.length or '?'} steps"
            )
        return f"about {format_bytes(self.total)} ({', '.join(parts)})"


def estimate_training(
    doc: GraphDocument,
    shapes: ShapeInference,
    parameters: int,
    data: Any = None,
    training: Mapping[str, Any] | None = None,
) -> TrainingMemory:
    """The memory training `doc` would take; `data` is its DataSignature (for the length)."""
    optimiser = (training or {}).get("optimizer", "adam")
    copies = _OPTIMISER_COPIES.get(optimiser, 2)
    if optimiser == "sgd" and not (training or {}).get("momentum", 0.9):
        copies = 0
    batch = training.get("batch_size") if training else None
    length = getattr(data, "length", None)
    activations = 0
    if batch is not None:
        per_sample = sum(_kept_per_sample(doc, node_id, shapes, length) for node_id in shapes.outputs)
        activations = 2 * batch * per_sample * FLOAT_BYTES
    return TrainingMemory(
        parameters, 3 * parameters * FLOAT_BYTES, copies * parameters * FLOAT_BYTES, activations, batch, length
    )


def _kept_per_sample(doc: GraphDocument, node_id: str, shapes: ShapeInference, length: int | None) -> int:
    """Numbers one sample's forward pass keeps for backward at this block."""
    shape = shapes.outputs[node_id]
    steps = shape.length or length or 1
    kept = shape.size * (steps if shape.kind != "vector" else 1)
    node = doc.node(node_id)
    gates = _GATES.get(node.type_name)
    if gates is not None and node.spec.recurrent:
        received = next(iter(shapes.inputs.get(node_id, {}).values()), None)
        steps = (received.length if received else None) or length or 1
        directions = 2 if node.params.get("bidirectional") else 1
        per_step = (gates + 2) * node.params["hidden_size"] * directions * node.params.get("layers", 1)
        kept += steps * per_step
    return kept


def available_memory() -> int | None:
    """Bytes of memory this process could still use: what the system has available, capped
    by a container's limit; None where it cannot be found out."""
    found = [value for value in (_meminfo_available(), _cgroup_room(), _windows_available()) if value]
    if not found and hasattr(os, "sysconf"):
        try:  # macOS and other Unix: free physical pages
            found.append(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_AVPHYS_PAGES"))
        except (ValueError, OSError):
            pass
    return min(found) if found else None


def _meminfo_available() -> int | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def _cgroup_room() -> int | None:
    try:
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        used = int(Path("/sys/fs/cgroup/memory.current").read_text().strip())
    except (OSError, ValueError):
        return None
    return None if limit == "max" else max(0, int(limit) - used)


def _windows_available() -> int | None:
    if os.name != "nt":
        return None
    import ctypes

    class _Status(ctypes.Structure):
        _fields_ = [("length", ctypes.c_ulong), ("load", ctypes.c_ulong)] + [
            (name, ctypes.c_ulonglong)
            for name in ("total", "available", "total_page", "avail_page", "total_virtual", "avail_virtual", "ext")
        ]

    status = _Status(length=ctypes.sizeof(_Status))
    return status.available if ctypes.windll.kernel32.GlobalMemoryStatusEx(ctypes.byref(status)) else None


def memory_problem(memory: TrainingMemory, available: int | None) -> tuple[str, str] | None:
    """("error" | "warning", message) when the estimate does not fit or nearly fills memory."""
    need = memory.describe()
    lower = "lower the hidden size or number of layers" + (
        ", the batch size or the sequence length" if memory.batch_size is not None else ""
    )
    if available is not None and memory.total > available:
        return "error", (
            f"training this model needs {need}, but only {format_bytes(available)} of memory is available; {lower}"
        )
    if available is not None and memory.total > WARN_SHARE * available:
        return "warning", f"training this model needs {need}, more than half the {format_bytes(available)} available"
    if memory.parameters > WARN_PARAMETERS:
        return "warning", f"a very large model ({memory.parameters:,} parameters): training needs {need}"
    return None


def training_memory_problem(
    doc: GraphDocument,
    shapes: ShapeInference,
    parameters: int,
    data: Any = None,
    training: Mapping[str, Any] | None = None,
) -> tuple[str, str] | None:
    """What validation says about memory: ("error" | "warning", message), or None when it fits."""
    return memory_problem(estimate_training(doc, shapes, parameters, data, training), available_memory())
