"""Mixed precision for training steps: autocast in bf16 or fp16 on a CUDA GPU, float32 elsewhere.

bf16 keeps float32's exponent range, so its gradients need no scaling. fp16's 5-bit exponent
flushes small gradients to zero, so fp16 runs through a GradScaler: the loss is multiplied
before backward and the gradients divided after. When the scaled gradients overflow, the
scale is halved and the same batch is computed again (`overflowed`), so every reported step
is a real optimizer step and an overflow is never mistaken for a diverging run.
Evaluation and probes stay in float32 (probes even in float64, on the CPU).
"""

from __future__ import annotations

import contextlib
import math

import torch

from .errors import UserError

PRECISIONS = ("float32", "bf16", "fp16")
FP16_ATTEMPTS = 24  # each overflow halves the scale: from 2**16 down to 2**-8 before giving up
DTYPES = {"bf16": torch.bfloat16, "fp16": torch.float16}


class PrecisionError(UserError):
    """A precision this device cannot train in."""


def check_precision(choice: str, device_type: str) -> None:
    if choice != "float32" and device_type != "cuda":
        raise PrecisionError(
            f"precision '{choice}' trains only on a CUDA GPU and this run is on the CPU; set precision to float32"
        )
    if choice == "bf16" and not torch.cuda.is_bf16_supported():
        raise PrecisionError("this GPU cannot compute in bf16; set precision to fp16 or float32")


class Precision:
    """Autocast, scaled backward and optimizer step for one run's training steps."""

    def __init__(self, choice: str, device: torch.device):
        check_precision(choice, device.type)
        self.device_type, self.dtype = device.type, DTYPES.get(choice)
        self.scaler = torch.amp.GradScaler(device.type) if choice == "fp16" else None
        self.attempts = FP16_ATTEMPTS if self.scaler is not None else 1

    def autocast(self):
        if self.dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(self.device_type, dtype=self.dtype)

    def backward(self, loss: torch.Tensor, optimizer: torch.optim.Optimizer) -> None:
        """Gradients of `loss`, unscaled and ready for clipping."""
        if self.scaler is None:
            loss.backward()
            return
        self.scaler.scale(loss).backward()
        self.scaler.unscale_(optimizer)

    def overflowed(self, grad_norm: float) -> bool:
        """fp16 only: the scaled gradients overflowed; the scale is now halved, redo the batch."""
        if self.scaler is None or math.isfinite(grad_norm):
            return False
        self.scaler.update()  # reads the overflow unscale_ recorded, lowers the scale
        return True

    def step(self, optimizer: torch.optim.Optimizer) -> None:
        if self.scaler is None:
            optimizer.step()
            return
        self.scaler.step(optimizer)
        self.scaler.update()
