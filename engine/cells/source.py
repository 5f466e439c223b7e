"""A cell document as readable, standalone PyTorch source: one nn.Module class whose `step`
is written out one line per primitive, and whose `forward` runs it over a sequence.

The class keeps its learned nodes in a ModuleDict named `nodes`, by node id, exactly as
engine.cells.module.CompiledCell does, so the app's weights load into it with strict=True.
The text comes from the document alone (no torch), and the same cell gives the same text.
"""

from __future__ import annotations

import json
import re

from .analysis import CellAnalysis, analyse
from .document import INPUT, CellDocument, CellNode
from .templates import FUSED_ROWS, builtin_kind

SCALE_CLASS = '''class Scale(nn.Module):
    """A learned weight per unit: x * weight (a diagonal Linear, as peepholes use)."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.empty(size))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.weight'''

_I1, _I2 = " " * 4, " " * 8


def class_name_for(doc: CellDocument) -> str:
    """'Lstm1997NoForgetGateCell' from the cell's name: a valid, readable class name."""
    words = re.findall(r"[A-Za-z0-9]+", doc.name)
    name = "".join(w[:1].upper() + w[1:] for w in words) or "Custom"
    return ("Cell" + name if name[0].isdigit() else name) + "Cell"


def needs_scale(doc: CellDocument) -> bool:
    return any(node.op == "scale" for node in doc.nodes)


def cell_class_source(doc: CellDocument, input_size: int, hidden_size: int, class_name: str | None = None) -> str:
    """The class text (without imports; with `SCALE_CLASS` needed before it when `needs_scale`)."""
    analysis = analyse(doc)
    if analysis.errors:
        raise ValueError(f"cell '{doc.name}' has problems: " + "; ".join(d.message for d in analysis.errors))
    name = class_name or class_name_for(doc)
    writer = _Writer(doc, analysis, input_size, hidden_size)
    lines = [
        f"class {name}(nn.Module):",
        f'{_I1}"""{_escaped(doc.name)}: {_escaped(doc.description)}',
        "",
        f"{_I1}Inputs: x (B, {input_size}); states {', '.join(doc.states)} (B, {hidden_size}) each. One line per",
        f'{_I1}primitive of the cell drawn in Recurrent Studio; gates are marked in the comments."""',
        "",
        *writer.init(),
        "",
        *writer.step(),
        "",
        *writer.forward(),
    ]
    return "\n".join(lines)


class _Writer:
    def __init__(self, doc: CellDocument, analysis: CellAnalysis, input_size: int, hidden_size: int):
        self.doc, self.analysis = doc, analysis
        self.input_size, self.hidden_size = input_size, hidden_size
        used = set(doc.outputs.values())
        for node_id in reversed(analysis.order):  # only nodes that lead to a state, as the compiled cell
            if node_id in used:
                used.update(doc.node(node_id).inputs)
        self.order = [n for n in analysis.order if n in used]

    def width(self, ref: str) -> int:
        if ref == INPUT:
            return self.input_size
        if ref in self.doc.states:
            return self.hidden_size
        a, b = self.analysis.sizes[ref]
        return a * self.hidden_size + b * self.input_size

    def init(self) -> list[str]:
        learned = [self.doc.node(n) for n in self.order if self.doc.node(n).primitive.learned]
        entries = [f'{_I2}{_I2}"{node.id}": {self._constructor(node)},' for node in learned]
        return [
            f"{_I1}def __init__(self) -> None:",
            f"{_I2}super().__init__()",
            f"{_I2}self.hidden_size = {self.hidden_size}",
            f"{_I2}self.nodes = nn.ModuleDict(",
            f"{_I2}{_I1}{{",
            *entries,
            f"{_I2}{_I1}}}",
            f"{_I2})",
        ]

    def _constructor(self, node: CellNode) -> str:
        if node.op == "scale":
            return f"Scale({self.width(node.inputs[0])})"
        in_features = sum(self.width(ref) for ref in node.inputs)
        out = node.settings["units"] * self.hidden_size
        bias = "" if node.settings["bias"] else ", bias=False"
        return f"nn.Linear({in_features}, {out}{bias})"

    def step(self) -> list[str]:
        doc = self.doc
        states = ", ".join(f"{s}: torch.Tensor" for s in doc.states)
        returns = ", ".join("torch.Tensor" for _ in doc.states)
        result = ", ".join(doc.outputs[s] for s in doc.states)
        body = [self._line(doc.node(n)) for n in self.order]
        return [
            f"{_I1}def step(self, x: torch.Tensor, {states}) -> tuple[{returns}]:",
            f'{_I2}"""One time step: the new {", ".join(doc.states)}."""',
            *(f"{_I2}{line}" for line in body),
            f"{_I2}return {result}" + ("," if len(doc.states) == 1 else ""),
        ]

    def _line(self, node: CellNode) -> str:
        args = node.inputs
        op = node.op
        if op == "linear":
            joined = args[0] if len(args) == 1 else f"torch.cat([{', '.join(args)}], dim=-1)"
            expression = f'self.nodes["{node.id}"]({joined})'
        elif op == "scale":
            expression = f'self.nodes["{node.id}"]({args[0]})'
        elif op in ("sigmoid", "tanh", "relu"):
            expression = f"torch.{op}({args[0]})"
        elif op == "one_minus":
            expression = f"1 - {args[0]}"
        elif op == "add":
            expression = " + ".join(args)
        elif op == "multiply":
            expression = " * ".join(args)
        elif op == "concat":
            expression = f"torch.cat([{', '.join(args)}], dim=-1)"
        elif op == "split":
            expression = f"{args[0]}.chunk({node.settings['parts']}, dim=-1)[{node.settings['index']}]"
        else:  # constant
            expression = repr(node.settings["value"])
        return f"{node.id} = {expression}  # {self._comment(node)}"

    def _comment(self, node: CellNode) -> str:
        size = self.analysis.sizes.get(node.id)
        shape = "a number" if size is None else f"(B, {self.width(node.id)})"
        return f"{shape}: gate '{node.gate}'" if node.gate else shape

    def forward(self) -> list[str]:
        kind = builtin_kind(self.doc)
        return self._fused_forward(kind) if kind else self._loop_forward()

    def _fused_forward(self, kind: str) -> list[str]:
        """The cell is exactly PyTorch's {kind}: run the fused kernel on the nodes' weights,
        assembled in the kernel's gate order, as the app trains it."""
        features = self.input_size
        cols = {"x": f"[:, :{features}]", "h": f"[:, {features}:]", "all": ""}

        def weights(pick) -> str:
            return ", ".join(f'n["{node}"].weight{cols[part]}' for node, part in map(pick, FUSED_ROWS[kind]))

        def biases(pick) -> str:
            return ", ".join(
                f'n["{pick(b)}"].bias' if pick(b) else f'torch.zeros_like(n["{b.b_ih}"].bias)' for b in FUSED_ROWS[kind]
            )

        function = {"LSTM": "torch.lstm", "GRU": "torch.gru", "RNN": "torch.rnn_tanh"}[kind]
        state = "[h0, h0]" if kind == "LSTM" else "h0"
        return [
            f"{_I1}def forward(self, xs: torch.Tensor) -> torch.Tensor:",
            f'{_I2}"""xs: (B, T, {features}); returns h at every step, (B, T, {self.hidden_size}). This cell is',
            f"{_I2}exactly nn.{kind}, so it runs on PyTorch's fused kernel with the nodes' weights in the",
            f'{_I2}kernel\'s gate order; `step` is the same arithmetic written out."""',
            f"{_I2}n = self.nodes",
            f"{_I2}w_ih = torch.cat([{weights(lambda b: b.w_ih)}])",
            f"{_I2}w_hh = torch.cat([{weights(lambda b: b.w_hh)}])",
            f"{_I2}b_ih = torch.cat([{biases(lambda b: b.b_ih)}])",
            f"{_I2}b_hh = torch.cat([{biases(lambda b: b.b_hh)}])",
            f"{_I2}h0 = xs.new_zeros(1, xs.shape[0], self.hidden_size)",
            f"{_I2}flat = [w_ih, w_hh, b_ih, b_hh]",
            f"{_I2}return {function}(xs, {state}, flat, True, 1, 0.0, self.training, False, True)[0]",
        ]

    def _loop_forward(self) -> list[str]:
        states = self.doc.states
        first = states[0]
        return [
            f"{_I1}def forward(self, xs: torch.Tensor) -> torch.Tensor:",
            f'{_I2}"""xs: (B, T, {self.input_size}); returns {first} at every step, (B, T, {self.hidden_size})."""',
            f"{_I2}{', '.join(states)} = " + ", ".join("xs.new_zeros(xs.shape[0], self.hidden_size)" for _ in states),
            f"{_I2}outputs = []",
            f"{_I2}for x in xs.unbind(1):",
            f"{_I2}{_I1}{', '.join(states)}{',' if len(states) == 1 else ''} = self.step(x, {', '.join(states)})",
            f"{_I2}{_I1}outputs.append({first})",
            f"{_I2}return torch.stack(outputs, dim=1)",
        ]


def _escaped(text: str) -> str:
    """`text` safe inside a docstring: quotes, backslashes and control characters escaped."""
    return json.dumps(text, ensure_ascii=False)[1:-1]
