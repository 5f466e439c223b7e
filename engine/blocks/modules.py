"""The nn.Modules that blocks build. Every module takes its inputs in port order and
returns one tensor, so the compiled model can run any graph the same way.

Recurrent blocks subclass PyTorch's fused nn.RNN / nn.LSTM / nn.GRU, so training runs on
the fused kernels and their state_dict keys are exactly PyTorch's (`weight_ih_l0`, ...).
"""

from __future__ import annotations

import torch
from torch import nn


class _EmitMixin:
    """Return the whole output sequence, or the last hidden state of the top layer
    (both directions concatenated: forward at the last step, backward at the first)."""

    emit: str = "sequence"

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # x: (B, T, F)
        out, state = super().forward(x)  # out: (B, T, H * directions)
        if self.emit == "sequence":
            return out
        h_n = state[0] if isinstance(state, tuple) else state  # (layers * directions, B, H)
        if self.bidirectional:
            return torch.cat([h_n[-2], h_n[-1]], dim=-1)  # (B, 2H)
        return h_n[-1]  # (B, H)

    def extra_repr(self) -> str:
        return f"{super().extra_repr()}, emit={self.emit!r}"


class RNNBlock(_EmitMixin, nn.RNN):
    pass


class LSTMBlock(_EmitMixin, nn.LSTM):
    pass


class GRUBlock(_EmitMixin, nn.GRU):
    pass


RECURRENT_CLASSES = {"RNN": RNNBlock, "LSTM": LSTMBlock, "GRU": GRUBlock}


def build_recurrent(
    cell: str,
    input_size: int,
    hidden_size: int,
    layers: int,
    bidirectional: bool,
    dropout: float,
    emit: str,
    nonlinearity: str = "tanh",
) -> nn.Module:
    extra = {"nonlinearity": nonlinearity} if cell == "RNN" else {}
    module = RECURRENT_CLASSES[cell](
        input_size,
        hidden_size,
        num_layers=layers,
        batch_first=True,
        bidirectional=bidirectional,
        dropout=dropout if layers > 1 else 0.0,
        **extra,
    )
    module.emit = emit
    return module


class LastStep(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x[:, -1]  # (B, T, F) -> (B, F)


class MeanOverTime(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.mean(dim=1)  # (B, T, F) -> (B, F)


class Concat(nn.Module):
    def forward(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        return torch.cat([a, b], dim=-1)


class Add(nn.Module):
    def forward(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        return a + b


ACTIVATIONS = {"ReLU": nn.ReLU, "Tanh": nn.Tanh, "Sigmoid": nn.Sigmoid, "GELU": nn.GELU}


class RegressionHead(nn.Linear):
    """Projects to the data's target values; scored by MSE or L1."""

    def __init__(self, in_features: int, out_features: int, loss: str = "mse"):
        super().__init__(in_features, out_features)
        self.loss_name = loss

    def loss(self, prediction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        if self.loss_name == "l1":
            return nn.functional.l1_loss(prediction, target)
        return nn.functional.mse_loss(prediction, target)

    def metric(self, prediction: torch.Tensor, target: torch.Tensor) -> float | None:
        return None


class ClassificationHead(nn.Linear):
    """Projects a vector to one logit per class; cross-entropy per sequence."""

    def loss(self, logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return nn.functional.cross_entropy(logits, target)  # logits (B, C), target (B,)

    def metric(self, logits: torch.Tensor, target: torch.Tensor) -> float:
        return (logits.argmax(-1) == target).float().mean().item()


class TokenPredictionHead(ClassificationHead):
    """Projects every step to one logit per token; cross-entropy per step."""

    def loss(self, logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return super().loss(logits.flatten(0, 1), target.flatten())  # (B*T, V), (B*T,)
