"""The nn.Modules that blocks build. Every module takes its inputs in port order and
returns one tensor, so the compiled model can run any graph the same way.

Recurrent blocks subclass PyTorch's fused nn.RNN / nn.LSTM / nn.GRU, so training runs on
the fused kernels and their state_dict keys are exactly PyTorch's (`weight_ih_l0`, ...).
"""

from __future__ import annotations

import torch
from torch import nn

from ..packing import IGNORE_INDEX, last_real_step, mean_over_real_steps, run_forward_only, run_packed


class _EmitMixin:
    """Return the whole output sequence, or the last hidden state of the top layer
    (both directions concatenated: forward at the last step, backward at the first).
    With `lengths`, "last" and "first" are each sequence's own: a bidirectional layer runs
    packed; a forward-only one reads the padded batch (see engine.packing.run_forward_only)."""

    emit: str = "sequence"
    takes_lengths = True  # the compiled model passes a variable-length batch's lengths

    def forward(self, x: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:  # x: (B, T, F)
        if lengths is not None and not self.bidirectional:
            return run_forward_only(super().forward, x, lengths, self.emit)  # zeros at padding
        if lengths is None:
            out, state = super().forward(x)  # out: (B, T, H * directions)
        else:
            out, state = run_packed(super().forward, x, lengths, self.emit)  # zeros at padding
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
    forget_bias: float = 0.0,
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
    if cell == "LSTM" and forget_bias:
        add_forget_bias(module, forget_bias)
    return module


def add_forget_bias(module: nn.LSTM, value: float) -> None:
    """Add `value` to b_if (rows H..2H of every bias_ih) after PyTorch's initialisation; no random
    numbers are drawn, so the same seed gives the same other weights."""
    with torch.no_grad():
        for name, bias in module.named_parameters():
            if name.startswith("bias_ih"):
                bias[module.hidden_size : 2 * module.hidden_size] += value


class LastStep(nn.Module):
    takes_lengths = True

    def forward(self, x: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        if lengths is not None:
            return last_real_step(x, lengths)
        return x[:, -1]  # (B, T, F) -> (B, F)


class MeanOverTime(nn.Module):
    takes_lengths = True

    def forward(self, x: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        if lengths is not None:
            return mean_over_real_steps(x, lengths)
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
    """Projects a vector to one logit per class; cross-entropy per sequence, optionally
    weighted so that every class counts as much as the others ("balanced")."""

    def __init__(self, in_features: int, out_features: int, class_weights: str = "none"):
        super().__init__(in_features, out_features)
        self.class_weights = class_weights
        # Fitted from the training labels, not learned: kept out of the saved weights.
        self.register_buffer("loss_weight", None, persistent=False)

    def fit_targets(self, y_train: torch.Tensor) -> None:
        """Balanced weights n / (C * count_c) from the training labels, if this head uses them."""
        if self.class_weights != "balanced":
            return
        labels = y_train.reshape(-1)
        counts = torch.bincount(labels[labels != IGNORE_INDEX], minlength=self.out_features).float()
        self.loss_weight = counts.sum() / (self.out_features * counts.clamp(min=1.0))

    def loss(self, logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return nn.functional.cross_entropy(logits, target, weight=self.loss_weight)  # logits (B, C), target (B,)

    def metric(self, logits: torch.Tensor, target: torch.Tensor) -> float:
        return (logits.argmax(-1) == target).float().mean().item()


class TokenPredictionHead(ClassificationHead):
    """Projects every step to one logit per token; cross-entropy per step. Padding steps of a
    variable-length batch hold the target IGNORE_INDEX and count in neither loss nor metric."""

    def loss(self, logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return super().loss(logits.flatten(0, 1), target.flatten())  # (B*T, V), (B*T,)

    def metric(self, logits: torch.Tensor, target: torch.Tensor) -> float:
        real = target != IGNORE_INDEX
        return (logits.argmax(-1)[real] == target[real]).float().mean().item()
