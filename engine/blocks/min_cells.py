"""minGRU and minLSTM blocks (Feng et al. 2024, "Were RNNs All We Needed?").

The gates of a min-cell read only the input, never the previous state, so each layer is a
linear recurrence hₜ = aₜ ⊙ hₜ₋₁ + bₜ whose coefficients are known for every step at once:

    minGRU   z = σ(W_z x + b_z),  h̃ = g(W_h x + b_h)
             hₜ = (1 − zₜ) ⊙ hₜ₋₁ + zₜ ⊙ h̃ₜ
    minLSTM  f = σ(W_f x + b_f),  i = σ(W_i x + b_i),  h̃ = g(W_h x + b_h)
             f' = f / (f + i),  i' = i / (f + i),  hₜ = f'ₜ ⊙ hₜ₋₁ + i'ₜ ⊙ h̃ₜ

with g(v) = v + ½ for v ≥ 0 and σ(v) below, which keeps h̃ positive so that the recurrence can
run in log space. Training runs it as a parallel scan there (Heinsen 2023):
log hₜ = a*ₜ + logcumsumexp(log b − a*)ₜ with a*ₜ = Σ_{k≤t} log aₖ, all steps at once; in
evaluation it runs step by step, as at inference. tests/test_min_cells.py checks that both
forms agree. The weights are named like PyTorch's fused modules (`weight_ih_l0`,
`bias_ih_l0_reverse`, rows in the gate order above), layers stack and may run both ways.

For the probes a min-cell traces itself (`probe_trace`): gates, hidden states and the carry
aₜ, from which engine.gates.total_hidden_grad takes ∂L/∂hₜ by one backward scan. It has no
W_hh, so no spectral radius (NaN in the record).

The module class is made on first use, so the catalogue loads without torch, and its own
source is what code export writes: the exported class is the trained one.
"""

from __future__ import annotations

import inspect
import textwrap
from functools import cache

from .codegen import CodeStep, Fragment, comment
from .recurrent import _COMMON_PARAMS
from .spec import SEQUENCE, VECTOR, BlockContext, BlockSpec, Param, Port, Shape

GATES = {"minGRU": ("update", "candidate"), "minLSTM": ("forget", "input", "candidate")}
# The candidate g(h̃) is positive and unbounded: "preactivation" is the record's word for unbounded.
GATE_KINDS = {"minGRU": ("sigmoid", "preactivation"), "minLSTM": ("sigmoid", "sigmoid", "preactivation")}

MIN_FORGET_BIAS = Param(
    "forget_bias",
    "float",
    0.0,
    -10.0,
    10.0,
    help=(
        "Added to the forget gate's bias at initialisation. 0 keeps PyTorch-style uniform initialisation, "
        "where f and i start equal, so f' ≈ 0.5 and memory halves every step; 1.0 or more keeps more of "
        "the past from the start (as for the LSTM, Jozefowicz et al. 2015)."
    ),
)


@cache
def min_recurrent_class():
    """The nn.Module of both min-cells, defined on first use (it imports torch)."""
    import math

    import torch
    from torch import nn

    class MinRecurrent(nn.Module):
        """minGRU or minLSTM layers; see engine/blocks/min_cells.py.

        Shape: x (B, T, F) -> (B, T, D*H) with emit "sequence", (B, D*H) with "last"."""

        takes_lengths = True  # a padded batch's lengths: each sequence ends at its own last step

        def __init__(
            self,
            cell,
            input_size,
            hidden_size,
            num_layers=1,
            bidirectional=False,
            dropout=0.0,
            emit="sequence",
            forget_bias=0.0,
        ):
            super().__init__()
            if cell not in ("minGRU", "minLSTM"):
                raise ValueError(f"cell must be 'minGRU' or 'minLSTM', not {cell!r}")
            self.cell, self.hidden_size, self.num_layers = cell, hidden_size, num_layers
            self.bidirectional, self.dropout, self.emit = bidirectional, dropout, emit
            gates, directions = (2 if cell == "minGRU" else 3), (2 if bidirectional else 1)
            for layer in range(num_layers):
                size = input_size if layer == 0 else hidden_size * directions
                for suffix in self.suffixes(layer):
                    self.register_parameter("weight_ih" + suffix, nn.Parameter(torch.empty(gates * hidden_size, size)))
                    self.register_parameter("bias_ih" + suffix, nn.Parameter(torch.empty(gates * hidden_size)))
            bound = 1 / math.sqrt(hidden_size)  # as nn.LSTM / nn.GRU initialise
            for weight in self.parameters():
                nn.init.uniform_(weight, -bound, bound)
            if cell == "minLSTM" and forget_bias:
                with torch.no_grad():
                    for name, bias in self.named_parameters():
                        if name.startswith("bias_ih"):
                            bias[:hidden_size] += forget_bias  # rows f, i, h̃: the forget gate first

        def suffixes(self, layer):
            return [f"_l{layer}"] + ([f"_l{layer}_reverse"] if self.bidirectional else [])

        def forward(self, x, lengths=None):  # x: (B, T, F)
            layer_input, finals = x, []
            for layer in range(self.num_layers):
                if layer and self.training and self.dropout:
                    layer_input = nn.functional.dropout(layer_input, self.dropout)
                outputs, finals = [], []
                for direction, suffix in enumerate(self.suffixes(layer)):
                    seq = self.reverse(layer_input, lengths) if direction else layer_input
                    log_a, log_b = self.log_coefficients(seq, suffix)[:2]
                    h = self.parallel_scan(log_a, log_b) if self.training else self.sequential_scan(log_a, log_b)
                    finals.append(self.last(h, lengths))  # the final state in processing order
                    outputs.append(self.reverse(h, lengths) if direction else h)
                layer_input = self.zero_padding(torch.cat(outputs, dim=-1), lengths)  # (B, T, D*H)
            return layer_input if self.emit == "sequence" else torch.cat(finals, dim=-1)

        def log_coefficients(self, x, suffix):
            """(log aₜ, log bₜ, gates) of hₜ = aₜ ⊙ hₜ₋₁ + bₜ for every step, (B, T, H) each."""
            pre = nn.functional.linear(x, getattr(self, "weight_ih" + suffix), getattr(self, "bias_ih" + suffix))
            *gate_pre, candidate = pre.chunk(2 if self.cell == "minGRU" else 3, dim=-1)
            positive = torch.log(candidate.clamp(min=0) + 0.5)
            log_candidate = torch.where(candidate >= 0, positive, -nn.functional.softplus(-candidate))  # log g(h̃)
            if self.cell == "minGRU":
                (k,) = gate_pre
                log_keep, log_take = -nn.functional.softplus(k), -nn.functional.softplus(-k)  # log(1 − z), log z
            else:
                f, i = gate_pre
                diff = nn.functional.softplus(-f) - nn.functional.softplus(-i)  # log i − log f
                log_keep, log_take = -nn.functional.softplus(diff), -nn.functional.softplus(-diff)  # log f', log i'
            return log_keep, log_take + log_candidate, (log_keep, log_take, log_candidate)

        @staticmethod
        def parallel_scan(log_a, log_b):
            """All hₜ at once (h₋₁ = 0): hₜ = exp(a*ₜ + logcumsumexp(log b − a*)ₜ)."""
            a_star = torch.cumsum(log_a, dim=1)
            return torch.exp(a_star + torch.logcumsumexp(log_b - a_star, dim=1))

        def sequential_scan(self, log_a, log_b):
            """The same recurrence step by step, as at inference. Scripted while ONNX export
            traces the model, so the loop exports as one ONNX Loop for any length, not unrolled."""
            scan = type(self).scan_steps
            return (torch.jit.script(scan) if torch.jit.is_tracing() else scan)(log_a, log_b)

        @staticmethod
        def scan_steps(log_a: torch.Tensor, log_b: torch.Tensor) -> torch.Tensor:
            a, b = torch.exp(log_a), torch.exp(log_b)
            h = torch.zeros_like(b[:, 0])
            states: list[torch.Tensor] = []
            for t in range(b.shape[1]):
                h = a[:, t] * h + b[:, t]
                states.append(h)
            return torch.stack(states, dim=1)

        @staticmethod
        def reverse(x, lengths):
            """Each sequence read backwards over its own real steps; padding stays at the end."""
            if lengths is None:
                return x.flip(1)
            steps = torch.arange(x.shape[1], device=x.device)[None]  # (1, T)
            real = lengths.to(x.device)[:, None]
            index = torch.where(steps < real, real - 1 - steps, steps)  # (B, T)
            return x.gather(1, index[..., None].expand_as(x))

        @staticmethod
        def last(h, lengths):
            if lengths is None:
                return h[:, -1]
            return h[torch.arange(h.shape[0], device=h.device), lengths.to(h.device) - 1]

        @staticmethod
        def zero_padding(x, lengths):
            if lengths is None:
                return x
            real = torch.arange(x.shape[1], device=x.device)[None] < lengths.to(x.device)[:, None]
            return x * real[..., None].to(x.dtype)

    return MinRecurrent


@cache
def probed_min_recurrent_class():
    """MinRecurrent plus what the probes ask of it; the built block (code export writes the base)."""
    import torch

    from ..gates import DirectionTrace, Trace

    class MinRecurrentBlock(min_recurrent_class()):
        def probe_trace(self, x, gate_rows=None):
            """engine.gates.Trace of `x` (B, T, F), parallel form, hidden states in the graph;
            gates and carries for the first `gate_rows` rows."""
            layers, layer_input = [], x
            for layer in range(self.num_layers):
                traces = [
                    self._direction(layer_input, suffix, d == 1, gate_rows)
                    for d, suffix in enumerate(self.suffixes(layer))
                ]
                layers.append(traces)
                layer_input = torch.cat([t.hidden for t in traces], dim=-1)
            h_n = torch.stack([t.hidden[:, 0 if t.reverse else -1] for traces in layers for t in traces])
            return Trace(self.cell, None, layers, layer_input, h_n, None)

        def _direction(self, x, suffix, reverse, rows):
            seq = x.flip(1) if reverse else x
            log_a, log_b, (log_keep, log_take, log_candidate) = self.log_coefficients(seq, suffix)
            hidden = self.parallel_scan(log_a, log_b)

            def in_time_order(t):
                return (t.flip(1) if reverse else t).detach()[:rows]

            values = (log_take, log_candidate) if self.cell == "minGRU" else (log_keep, log_take, log_candidate)
            gates = {name: in_time_order(v).exp() for name, v in zip(GATES[self.cell], values)}
            hidden = hidden.flip(1) if reverse else hidden
            return DirectionTrace(gates, hidden, None, reverse, carry=in_time_order(log_a).exp())

        def gate_spectral_radii(self):
            """No W_hh, so no spectral radius: NaN per gate, layer and direction."""
            import numpy as np

            shape = (self.num_layers, 2 if self.bidirectional else 1)
            return {name: np.full(shape, np.nan) for name in GATES[self.cell]}

    return MinRecurrentBlock


def _infer(ctx: BlockContext) -> Shape:
    size = ctx.params["hidden_size"] * (2 if ctx.params["bidirectional"] else 1)
    if ctx.params["output"] == "last":
        return Shape(VECTOR, size)
    return Shape(SEQUENCE, size, ctx.inputs["in"].length)


def _count(cell: str):
    def count(ctx: BlockContext) -> int:
        p, gates = ctx.params, len(GATES[cell])
        directions = 2 if p["bidirectional"] else 1
        total, size = 0, ctx.inputs["in"].size
        for _ in range(p["layers"]):
            total += directions * gates * p["hidden_size"] * (size + 1)
            size = p["hidden_size"] * directions
        return total

    return count


def _build(cell: str):
    def build(ctx: BlockContext):
        p = ctx.params
        return probed_min_recurrent_class()(
            cell,
            ctx.inputs["in"].size,
            p["hidden_size"],
            p["layers"],
            p["bidirectional"],
            p["dropout"] if p["layers"] > 1 else 0.0,
            p["output"],
            p.get("forget_bias", 0.0),
        )

    return build


def _export(step: CodeStep) -> Fragment:
    p = step.params
    kwargs = {
        "cell": step.type_name,
        "input_size": step.inputs[0].size,
        "hidden_size": p["hidden_size"],
        "num_layers": p["layers"],
        "bidirectional": p["bidirectional"],
        "dropout": p["dropout"] if p["layers"] > 1 else 0.0,
        "emit": p["output"],
    }
    source = "import math\n\n\n" + textwrap.dedent(inspect.getsource(min_recurrent_class()))
    note = "parallel scan while training, step by step in evaluation mode"
    arguments = f"{step.args[0]}, lengths" if step.lengths else step.args[0]  # its forward masks padding
    line = f"{step.var} = self.{step.node_id}({arguments})  {comment(step.output, note)}"
    return Fragment(("MinRecurrent", kwargs), (line,), (source,))


def _make_spec(cell: str, description: str, extra: tuple[Param, ...] = ()) -> BlockSpec:
    return BlockSpec(
        cell,
        "Recurrent",
        description,
        inputs=(Port("in", (SEQUENCE,)),),
        output=Port("out", (SEQUENCE, VECTOR)),
        params=_COMMON_PARAMS + extra,
        infer=_infer,
        build=_build(cell),
        count_params=_count(cell),
        recurrent=True,
        export=_export,
        icon="GRU.svg" if cell == "minGRU" else "LSTM.svg",
    )


SPECS = (
    _make_spec(
        "minGRU",
        "Minimal GRU (Feng et al. 2024): its update gate reads only the input, so training runs all steps at once.",
    ),
    _make_spec(
        "minLSTM",
        "Minimal LSTM (Feng et al. 2024): forget and input gates read only the input; trains as a parallel scan.",
        (MIN_FORGET_BIAS,),
    ),
)
