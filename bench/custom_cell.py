"""Custom cells: a drawn LSTM's training step against fused nn.LSTM.

Every candidate is a recurrent layer plus a linear head on the adding problem's shape
(batch 64, length 100, 2 features, hidden 128, last state), trained with MSE and Adam on one
fixed batch, alternating in one process:

- "fused nn.LSTM":        the baseline (oneDNN kernel on CPU).
- "drawn LSTM, loop":     the LSTM template compiled on the general path (engine.cells.module:
                          input maps precomputed, one state product per step) — the speed every
                          drawn cell gets. Target: <= 4x the baseline's step time.
- "drawn LSTM, fused":    the unchanged template, which the compiler runs on the fused kernel.
- "drawn 1997 LSTM":      a real custom cell (no forget gate) on the general path.
- "explicit loop":        the gates written by hand in a Python loop, the issue's 3.3x reference.
- "TorchScript loop":     the same hand loop under torch.jit.script: the alternative to a plain
                          loop, measured here to choose between them.
"""

from __future__ import annotations

import torch
from torch import nn

from engine.cells import TEMPLATES
from engine.cells.module import CompiledCell

from .common import interleave, median, paired_ratio, print_table

TARGET_RATIO = 4.0
FULL = {"batch": 64, "length": 100, "hidden": 128, "repeats": 9}
QUICK = {"batch": 4, "length": 6, "hidden": 8, "repeats": 2}
FEATURES = 2


class _Fused(nn.Module):
    def __init__(self, hidden: int):
        super().__init__()
        self.rnn = nn.LSTM(FEATURES, hidden, batch_first=True)

    def forward(self, x):
        return self.rnn(x)[0][:, -1]


class _ExplicitLoop(nn.Module):
    """The gates by hand: x maps precomputed, one h product per step."""

    def __init__(self, hidden: int, scripted: bool):
        super().__init__()
        self.hidden = hidden
        self.w_x = nn.Parameter(torch.randn(4 * hidden, FEATURES) * 0.1)
        self.w_h = nn.Parameter(torch.randn(4 * hidden, hidden) * 0.1)
        self.bias = nn.Parameter(torch.zeros(4 * hidden))
        self.loop = torch.jit.script(_lstm_loop) if scripted else _lstm_loop

    def forward(self, x):
        return self.loop(nn.functional.linear(x, self.w_x, self.bias), self.w_h.t(), self.hidden)


def _lstm_loop(projected: torch.Tensor, w_h: torch.Tensor, hidden: int) -> torch.Tensor:
    h = projected.new_zeros(projected.shape[0], hidden)
    c = h
    for step in projected.unbind(1):
        i, f, g, o = torch.addmm(step, h, w_h).chunk(4, 1)
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        h = torch.sigmoid(o) * torch.tanh(c)
    return h


class _WithHead(nn.Module):
    def __init__(self, layer: nn.Module, hidden: int):
        super().__init__()
        self.layer, self.head = layer, nn.Linear(hidden, 1)

    def forward(self, x):
        return self.head(self.layer(x))


def _candidates(hidden: int) -> dict[str, nn.Module]:
    def drawn(key: str, fused: bool) -> nn.Module:
        return CompiledCell(TEMPLATES[key].document(), FEATURES, hidden, emit="last", fused=fused)

    layers = {
        "fused nn.LSTM": _Fused(hidden),
        "drawn LSTM, loop": drawn("lstm", False),
        "drawn LSTM, fused": drawn("lstm", True),
        "drawn 1997 LSTM": drawn("lstm_1997", True),
        "explicit loop": _ExplicitLoop(hidden, scripted=False),
        "TorchScript loop": _ExplicitLoop(hidden, scripted=True),
    }
    return {name: _WithHead(layer, hidden) for name, layer in layers.items()}


def _train_step(model: nn.Module, x: torch.Tensor, y: torch.Tensor):
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

    def step():
        optimizer.zero_grad(set_to_none=True)
        loss = nn.functional.mse_loss(model(x), y)
        loss.backward()
        optimizer.step()

    return step


def run(quick: bool) -> dict:
    size = QUICK if quick else FULL
    torch.manual_seed(0)
    x = torch.randn(size["batch"], size["length"], FEATURES)
    y = torch.randn(size["batch"], 1)
    models = _candidates(size["hidden"])
    steps = {name: _train_step(model, x, y) for name, model in models.items()}
    times = interleave(steps, size["repeats"], warmup=2)
    baseline = times["fused nn.LSTM"]
    ratios = {name: paired_ratio(t, baseline) for name, t in times.items()}
    rows = [["candidate", "ms per step", "x fused nn.LSTM"]]
    rows += [[name, median(t) * 1e3, ratios[name]] for name, t in times.items()]
    print_table(f"training step, batch {size['batch']}, length {size['length']}, hidden {size['hidden']}", rows)
    drawn = ratios["drawn LSTM, loop"]
    print(f"\ndrawn LSTM (general loop): {drawn:.2f}x fused nn.LSTM (target <= {TARGET_RATIO:g}x)")
    return {
        "sizes": size,
        "ms_per_step": {name: median(t) * 1e3 for name, t in times.items()},
        "ratios": ratios,
        "drawn_ratio": drawn,
        "target_ratio": TARGET_RATIO,
        "target_met": drawn <= TARGET_RATIO,
    }
