"""The primitive operations a cell is drawn from, described once.

Each `Primitive` says how many inputs it takes, which extra settings it has, what it does in
one line (the editor's palette and the block reference show it), and two facts the
diagnostics need: whether it can amplify a value without limit (a Linear map or a learned
scale, whose weights may grow) and whether it squashes its output into a bounded range
(sigmoid, tanh). Nothing here imports torch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Setting:
    """One setting of a primitive node, with its default. `type` is "int", "float" or "bool"."""

    name: str
    type: str
    default: Any
    help: str
    minimum: float | None = None
    maximum: float | None = None


@dataclass(frozen=True)
class Primitive:
    op: str
    label: str
    description: str
    min_inputs: int
    max_inputs: int | None  # None: any number
    settings: tuple[Setting, ...] = ()
    amplifies: bool = False  # learned weights: can grow a value without bound
    squashes: bool = False  # output bounded whatever the input
    learned: bool = False  # holds parameters

    def arity_words(self) -> str:
        if self.max_inputs == self.min_inputs:
            return f"{self.min_inputs} input" + ("s" if self.min_inputs != 1 else "")
        if self.max_inputs is None:
            return f"{self.min_inputs} or more inputs"
        return f"{self.min_inputs} to {self.max_inputs} inputs"


_UNITS = Setting(
    "units", "int", 1, "Output size as a multiple of the hidden size (4 for all LSTM gates at once).", 1, 16
)
_BIAS = Setting("bias", "bool", True, "Add a learned bias.")

PRIMITIVES: dict[str, Primitive] = {
    p.op: p
    for p in (
        Primitive(
            "linear",
            "Linear",
            "A learned matrix times its inputs concatenated, plus a bias: W·[a; b; …] + b.",
            1,
            None,
            (_UNITS, _BIAS),
            amplifies=True,
            learned=True,
        ),
        Primitive(
            "scale",
            "Scale",
            "A learned weight per unit times its input (a diagonal matrix, as peepholes use).",
            1,
            1,
            amplifies=True,
            learned=True,
        ),
        Primitive(
            "sigmoid", "Sigmoid", "σ(a), between 0 and 1; mark it as a gate to name and probe it.", 1, 1, squashes=True
        ),
        Primitive("tanh", "Tanh", "tanh(a), between -1 and 1.", 1, 1, squashes=True),
        Primitive("relu", "ReLU", "max(a, 0): unbounded above.", 1, 1),
        Primitive("add", "Add", "The elementwise sum of its inputs.", 2, None),
        Primitive("multiply", "Multiply", "The elementwise product of its inputs.", 2, None),
        Primitive("one_minus", "One minus", "1 − a, elementwise (turns an update gate into a keep gate).", 1, 1),
        Primitive("concat", "Concatenate", "Its inputs side by side along the feature axis.", 2, None),
        Primitive(
            "split",
            "Split",
            "Part `index` (from 0) of its input cut into `parts` equal pieces.",
            1,
            1,
            (
                Setting("parts", "int", 2, "How many equal pieces to cut the input into.", 2, 64),
                Setting("index", "int", 0, "Which piece to keep, counting from 0.", 0, 63),
            ),
        ),
        Primitive(
            "constant",
            "Constant",
            "A fixed number, broadcast to any size.",
            0,
            0,
            (Setting("value", "float", 1.0, "The number."),),
        ),
    )
}

# Primitives whose output stays in (0, 1) and may carry a gate marker.
GATE_OPS = frozenset({"sigmoid"})
