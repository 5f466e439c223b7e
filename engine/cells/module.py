"""A cell document compiled into one nn.Module that runs it over a whole sequence.

How it runs fast:
- Every Linear map of `x` (and every Linear bias) is computed for all time steps at once,
  before the loop: one (B, T, F) × (F, W) product, where W sums the Linear nodes' widths.
- Per step, the Linear maps of a previous state are one matrix product per state: the
  state's columns of every Linear node that reads it, stacked. For the state read most, the
  product is added to the precomputed slice in place of a separate add (`addmm`), and split
  into the nodes' parts with `split`, whose backward is one concatenation.
- The loop itself is a short list of primitive calls. A TorchScript loop measured no faster
  than this plain one here (bench/custom_cell.py), so the loop stays plain Python.
- An unchanged built-in template (engine.cells.templates.builtin_kind) runs on PyTorch's
  fused LSTM/GRU/RNN kernel instead, with its weights assembled from the nodes' each call.

Parameters live in `nodes`, a ModuleDict by node id (`nodes.forget_lin.weight`), whichever
path runs, so weights load the same into either. `trace` runs the loop and also returns each
marked gate per step and every state per step (kept in the autograd graph) for the probes.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

from .analysis import analyse
from .document import INPUT, CellDocument
from .templates import FUSED_ROWS, builtin_kind


class CellError(ValueError):
    """A cell that cannot be compiled; the message lists its problems."""


class Scale(nn.Module):
    """A learned weight per unit: `x * weight` (a diagonal Linear, as peepholes use)."""

    def __init__(self, size: int):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(size))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.weight


@dataclass
class CellTrace:
    """One run of a cell with everything the probes look at. Lists are indexed by time step."""

    output: torch.Tensor  # (B, T, H): the emitted state at every step
    states: dict[str, list[torch.Tensor]]  # state -> its value after each step, each (B, H)
    gates: dict[str, torch.Tensor]  # gate name -> (B, T, H), detached


_ELEMENTWISE = {
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": torch.relu,
    "one_minus": lambda a: 1 - a,
    "add": lambda *a: functools.reduce(torch.add, a),
    "multiply": lambda *a: functools.reduce(torch.mul, a),
    "concat": lambda *a: torch.cat(a, dim=-1),
}


class CompiledCell(nn.Module):
    """`doc` over a sequence. forward(x (B, T, F)) returns (B, T, H) when `emit` is "sequence",
    the last emitted state (B, H) when it is "last". `fused=False` keeps a built-in template
    on the general loop (the parity tests compare both paths)."""

    def __init__(
        self, doc: CellDocument, input_size: int, hidden_size: int, emit: str = "sequence", fused: bool = True
    ):
        super().__init__()
        analysis = analyse(doc)
        if analysis.errors:
            problems = "; ".join(d.message for d in analysis.errors)
            raise CellError(f"cell '{doc.name}' cannot be built: {problems}")
        self.doc, self.input_size, self.hidden_size, self.emit = doc, input_size, hidden_size, emit
        used = _feeding_states(doc, analysis.order)
        self.order = [n for n in analysis.order if n in used]
        self.nodes = nn.ModuleDict()
        widths = {}  # ref -> its number of features
        for node_id in self.order:
            node = doc.node(node_id)
            size = analysis.sizes[node_id]
            widths[node_id] = None if size is None else size[0] * hidden_size + size[1] * input_size
            if node.op == "linear":
                in_features = sum(self._width(ref, widths) for ref in node.inputs)
                self.nodes[node_id] = nn.Linear(in_features, widths[node_id], bias=node.settings["bias"])
            elif node.op == "scale":
                self.nodes[node_id] = Scale(widths[node_id])
        self._widths = widths
        self.builtin = builtin_kind(doc) if fused else None
        self._plan_linears()
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Uniform in ±1/√H, as nn.LSTM, nn.GRU and nn.RNN initialise every weight."""
        bound = 1.0 / math.sqrt(self.hidden_size)
        for parameter in self.parameters():
            nn.init.uniform_(parameter, -bound, bound)

    def extra_repr(self) -> str:
        path = f"fused nn.{self.builtin} kernel" if self.builtin else "precomputed input maps, fused state products"
        return f"'{self.doc.name}', input_size={self.input_size}, hidden_size={self.hidden_size}, emit={self.emit!r}, {path}"

    # -- planning -----------------------------------------------------------------------
    def _width(self, ref: str, widths: dict) -> int:
        if ref == INPUT:
            return self.input_size
        if ref in self.doc.states:
            return self.hidden_size
        return widths[ref]

    def _plan_linears(self) -> None:
        """Which columns of each Linear weight read which name; the state read most goes first."""
        doc = self.doc
        linears = [n for n in self.order if doc.node(n).op == "linear"]
        self._columns: dict[str, dict[str, list[slice]]] = {}
        for node_id in linears:
            start, columns = 0, {}
            for ref in doc.node(node_id).inputs:
                width = self._width(ref, self._widths)
                columns.setdefault(ref, []).append(slice(start, start + width))
                start += width
            self._columns[node_id] = columns
        readers = {s: [n for n in linears if s in self._columns[n]] for s in doc.states}
        self._primary = max(doc.states, key=lambda s: len(readers[s])) if linears else None
        head = readers[self._primary] if self._primary else []
        self._linears = head + [n for n in linears if n not in head]  # column order of the precomputed maps
        self._head_count = len(head)
        self._other_readers = {s: readers[s] for s in doc.states if s != self._primary and readers[s]}
        self._inner = {n: [r for r in self._columns[n] if r != INPUT and r not in doc.states] for n in linears}
        self._reads_x = any(INPUT in doc.node(n).inputs for n in self.order if doc.node(n).op != "linear")

    def _part(self, node_id: str, ref: str) -> torch.Tensor:
        """The columns of node `node_id`'s weight that multiply `ref` (summed if read twice)."""
        weight = self.nodes[node_id].weight
        return functools.reduce(torch.add, [weight[:, cols] for cols in self._columns[node_id][ref]])

    # -- running ------------------------------------------------------------------------
    takes_lengths = True  # the compiled model passes a padded batch's lengths

    def forward(self, x: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:  # x: (B, T, F)
        """Padded steps of a variable-length batch are run too: they come after the real
        ones, so no real output depends on them, and "last" picks each sequence's last real step."""
        if self.builtin:
            output = self._fused(x)  # (B, T, H)
        elif self.training or torch.is_grad_enabled():
            output = self._loop(x, None, record=False).output
        else:  # inference: the arithmetic of the exported `step`, so exported code predicts bit for bit alike
            output = self._plain_loop(x)
        if self.emit == "sequence":
            return output
        if lengths is None:
            return output[:, -1]
        last = (lengths.to(output.device) - 1).view(-1, 1, 1).expand(-1, 1, output.shape[-1])
        return output.gather(1, last).squeeze(1)  # (B, H)

    def _plain_loop(self, x: torch.Tensor) -> torch.Tensor:
        """One primitive at a time, each Linear on its inputs concatenated, as engine.cells.source
        writes the step: the same floating-point operations in the same order."""
        doc = self.doc
        state = {s: x.new_zeros(x.shape[0], self.hidden_size) for s in doc.states}
        outputs = []
        for x_t in x.unbind(1):
            state = self.plain_step(x_t, state)
            outputs.append(state[doc.states[0]])
        return torch.stack(outputs, dim=1)

    def plain_step(self, x_t: torch.Tensor, state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        """One step, one primitive at a time: the new states from x_t (B, F) and the previous
        ones. Only tensor operations, so torch.fx can trace it into one graph (the ONNX loop)."""
        doc = self.doc
        values = dict(state, **{INPUT: x_t})
        for node_id in self.order:
            node = doc.node(node_id)
            args = [values[ref] for ref in node.inputs]
            if node.op == "linear":
                values[node_id] = self.nodes[node_id](args[0] if len(args) == 1 else torch.cat(args, dim=-1))
            elif node.op == "constant":
                values[node_id] = x_t.new_full((), node.settings["value"])
            else:
                self._evaluate(node_id, values, {})
        return {s: values[doc.outputs[s]] for s in doc.states}

    def trace(self, x: torch.Tensor, initial: dict[str, torch.Tensor] | None = None) -> CellTrace:
        """Run the loop from `initial` states (zeros when None) and keep every gate and state."""
        return self._loop(x, initial, record=True)

    def _loop(self, x: torch.Tensor, initial, record: bool, hook: torch.Tensor | None = None) -> CellTrace:
        """`hook`, a (B, T, H) zero tensor, is added to the emitted state's previous value where
        each step reads it, so its gradient at t is what step t sends back to h(t-1) (the probes)."""
        doc, batch, steps = self.doc, x.shape[0], x.shape[1]
        first = doc.states[0]
        hooks = hook.unbind(1) if hook is not None else None  # unbind: a linear, not quadratic, backward
        zeros = x.new_zeros(batch, self.hidden_size)
        state = {s: (initial[s] if initial else zeros) for s in doc.states}
        base, state_weights = self._precomputed(x)
        inputs = x.unbind(1) if self._reads_x else None
        constants = {
            n: x.new_full((), doc.node(n).settings["value"]) for n in self.order if doc.node(n).op == "constant"
        }
        history = {s: [] for s in doc.states}
        gates = {doc.node(n).gate: [] for n in self.order if doc.node(n).gate} if record else {}
        for t in range(steps):
            if hooks is not None:
                state[first] = state[first] + hooks[t]
            values = dict(state, **constants)
            if inputs is not None:
                values[INPUT] = inputs[t]
            bases = self._linear_bases(base, t, state, state_weights)
            for node_id in self.order:
                self._evaluate(node_id, values, bases)
            state = {s: values[doc.outputs[s]] for s in doc.states}
            for s in doc.states:
                history[s].append(state[s])
            for name in gates:
                gates[name].append(values[self._gate_nodes[name]].detach())
        output = torch.stack(history[doc.states[0]], dim=1)  # (B, T, H)
        return CellTrace(output, history, {name: torch.stack(v, dim=1) for name, v in gates.items()})

    # -- probes (engine.probes asks for these; engine.cells.probing writes them) ------------
    num_layers, bidirectional = 1, False  # what a probe record says of any cell

    def probe_trace(self, x: torch.Tensor, gate_rows: int | None = None):
        """The loop as an engine.gates.Trace: every marked gate, hₜ and the recurrence hook."""
        from .probing import probe_trace

        return probe_trace(self, x, gate_rows)

    def probe_header(self) -> dict:
        from .probing import probe_header

        return probe_header(self)

    def gate_spectral_radii(self):
        from .probing import gate_spectral_radii

        return gate_spectral_radii(self)

    @functools.cached_property
    def _gate_nodes(self) -> dict[str, str]:
        return {self.doc.node(n).gate: n for n in self.order if self.doc.node(n).gate}

    def _precomputed(self, x: torch.Tensor):
        """The Linear maps of x and every bias for all steps, split per step into the primary
        state's readers and the rest; and the stacked state weights."""
        if not self._linears:
            return None, {}
        x_weight = torch.cat([self._x_part(n) for n in self._linears])  # (W, F)
        bias = torch.cat([self._bias(n) for n in self._linears])  # (W,)
        projected = F.linear(x, x_weight, bias)  # (B, T, W)
        head_width = sum(self.nodes[n].out_features for n in self._linears[: self._head_count])
        head, tail = projected.split([head_width, projected.shape[-1] - head_width], dim=-1)
        weights = {s: torch.cat([self._part(n, s) for n in readers]).t() for s, readers in self._other_readers.items()}
        if self._primary and self._head_count:
            weights[self._primary] = torch.cat(
                [self._part(n, self._primary) for n in self._linears[: self._head_count]]
            ).t()
        return (head.unbind(1), tail.unbind(1)), weights

    def _x_part(self, node_id: str) -> torch.Tensor:
        if INPUT in self._columns[node_id]:
            return self._part(node_id, INPUT)
        weight = self.nodes[node_id].weight
        return weight.new_zeros(weight.shape[0], self.input_size)  # nothing of x: zero rows, so one product serves all

    def _bias(self, node_id: str) -> torch.Tensor:
        linear = self.nodes[node_id]
        return linear.bias if linear.bias is not None else linear.weight.new_zeros(linear.out_features)

    def _linear_bases(self, base, t: int, state, weights) -> dict[str, torch.Tensor]:
        """Each Linear node's value from x, its bias and the previous states, by node id;
        inputs computed within the step are added when the node is evaluated."""
        if base is None:
            return {}
        head, tail = base
        widths = [self.nodes[n].out_features for n in self._linears]
        count = self._head_count
        pieces = []
        if count:
            pieces += torch.addmm(head[t], state[self._primary], weights[self._primary]).split(widths[:count], dim=1)
        if len(widths) > count:
            pieces += tail[t].split(widths[count:], dim=1)
        bases = dict(zip(self._linears, pieces))
        for s, readers in self._other_readers.items():
            product = state[s] @ weights[s]
            for node_id, part in zip(readers, product.split([self.nodes[n].out_features for n in readers], dim=1)):
                bases[node_id] = bases[node_id] + part
        return bases

    def _evaluate(self, node_id: str, values: dict, bases: dict) -> None:
        node = self.doc.node(node_id)
        op = node.op
        if op == "constant":
            return
        if op == "linear":
            value = bases[node_id]
            for ref in self._inner[node_id]:
                value = value + F.linear(values[ref], self._part(node_id, ref))
        elif op == "scale":
            value = self.nodes[node_id](values[node.inputs[0]])
        elif op == "split":
            value = values[node.inputs[0]].chunk(node.settings["parts"], dim=-1)[node.settings["index"]]
        else:
            value = _ELEMENTWISE[op](*(values[ref] for ref in node.inputs))
        values[node_id] = value

    # -- the fused kernel ---------------------------------------------------------------
    def _fused(self, x: torch.Tensor) -> torch.Tensor:
        batch, hidden, features = x.shape[0], self.hidden_size, self.input_size
        h0 = x.new_zeros(1, batch, hidden)
        w_ih, w_hh, b_ih, b_hh = self._fused_weights(features)
        flat = [w_ih, w_hh, b_ih, b_hh]
        if self.builtin == "LSTM":
            output, _, _ = torch.lstm(x, [h0, h0], flat, True, 1, 0.0, self.training, False, True)
        elif self.builtin == "GRU":
            output, _ = torch.gru(x, h0, flat, True, 1, 0.0, self.training, False, True)
        else:
            output, _ = torch.rnn_tanh(x, h0, flat, True, 1, 0.0, self.training, False, True)
        return output

    def _fused_weights(self, features: int):
        """weight_ih, weight_hh, bias_ih, bias_hh as the fused kernel lays them out."""
        blocks = FUSED_ROWS[self.builtin]

        def columns(node_id: str, part: str) -> torch.Tensor:
            weight = self.nodes[node_id].weight
            return {"x": weight[:, :features], "h": weight[:, features:], "all": weight}[part]

        def bias(node_id: str | None, like: str) -> torch.Tensor:
            return self.nodes[node_id].bias if node_id else torch.zeros_like(self.nodes[like].bias)

        return (
            torch.cat([columns(*b.w_ih) for b in blocks]),
            torch.cat([columns(*b.w_hh) for b in blocks]),
            torch.cat([bias(b.b_ih, b.b_ih) for b in blocks]),
            torch.cat([bias(b.b_hh, b.b_ih) for b in blocks]),
        )


def _feeding_states(doc: CellDocument, order: list[str]) -> set[str]:
    """The names some new state depends on; nodes outside it are neither built nor run."""
    needed = set(doc.outputs.values())
    for node_id in reversed(order):
        if node_id in needed:
            needed.update(doc.node(node_id).inputs)
    return needed


def load_builtin_weights(cell: CompiledCell, fused: nn.RNNBase) -> None:
    """Copy a one-layer, one-direction nn.LSTM/GRU/RNN's weights into `cell` drawn from the
    matching built-in template, so both compute the same; a node holding rows of both
    weight_ih and weight_hh takes b_ih + b_hh as its one bias."""
    kind = builtin_kind(cell.doc)
    if kind is None or fused.num_layers != 1 or fused.bidirectional:
        raise CellError("weights copy only between a built-in template and a one-layer, one-direction module")
    hidden, features = cell.hidden_size, cell.input_size
    with torch.no_grad():
        for index, block in enumerate(FUSED_ROWS[kind]):
            rows = slice(index * hidden, (index + 1) * hidden)
            for (node_id, part), source in ((block.w_ih, fused.weight_ih_l0), (block.w_hh, fused.weight_hh_l0)):
                target = cell.nodes[node_id].weight
                columns = {"x": slice(0, features), "h": slice(features, None), "all": slice(None)}[part]
                target[:, columns].copy_(source[rows])
            cell.nodes[block.b_ih].bias.copy_(fused.bias_ih_l0[rows])
            if block.b_hh:
                cell.nodes[block.b_hh].bias.copy_(fused.bias_hh_l0[rows])
            else:
                cell.nodes[block.b_ih].bias.add_(fused.bias_hh_l0[rows])
