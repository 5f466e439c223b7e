"""A recurrent cell as a document: what one time step computes, drawn from primitives.

A cell reads the input `x` (xₜ) and its previous states — `h` (hₜ₋₁) always, and any further
states it declares, like `c` (cₜ₋₁) — and writes every state anew. `states[0]` is the state
the block emits. A node names one primitive (engine.cells.ops), its inputs by name (`x`, a
state's name for its previous value, or another node's id) and its settings; a sigmoid node
may carry a `gate` name, under which it is probed. `outputs` maps each state to the node that
computes its new value.

The document is plain data and round-trips through `to_dict`/`from_dict` exactly; a
malformed dict raises CellFormatError naming the field and what was expected. Whether the
cell *works* (shapes, recurrence, loops) is not checked here but by engine.cells.analysis,
so a half-drawn cell can still be loaded, shown and mended. Nothing here imports torch.
"""

from __future__ import annotations

import copy
import keyword
import math
import re
from dataclasses import dataclass, field
from typing import Any

from .ops import PRIMITIVES

CELL_FORMAT = "recurrent-studio-cell"
CELL_VERSION = 1
INPUT = "x"
NEW_VALUE = ":new"  # layout key suffix for a state's new value, drawn apart from its previous one
_LARGEST = 1e308  # ints beyond this would overflow float()
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")


class CellFormatError(ValueError):
    """A cell dict that cannot be read; the message names the field and what it needs."""


@dataclass
class CellNode:
    id: str
    op: str
    inputs: list[str]
    settings: dict[str, Any] = field(default_factory=dict)
    gate: str | None = None

    @property
    def primitive(self):
        return PRIMITIVES[self.op]

    def label(self) -> str:
        return f"{self.primitive.label} '{self.id}'"

    def to_dict(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"id": self.id, "op": self.op, "inputs": list(self.inputs)}
        if self.settings:
            entry["settings"] = dict(self.settings)
        if self.gate is not None:
            entry["gate"] = self.gate
        return entry


@dataclass
class CellDocument:
    name: str
    states: list[str]
    nodes: list[CellNode]
    outputs: dict[str, str]
    description: str = ""
    layout: dict[str, list[float]] = field(default_factory=dict)  # view-only: editor positions

    def node(self, node_id: str) -> CellNode:
        for node in self.nodes:
            if node.id == node_id:
                return node
        raise KeyError(f"the cell has no node '{node_id}'")

    def node_ids(self) -> list[str]:
        return [node.id for node in self.nodes]

    def gates(self) -> list[CellNode]:
        return [node for node in self.nodes if node.gate is not None]

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": CELL_FORMAT,
            "version": CELL_VERSION,
            "name": self.name,
            "description": self.description,
            "states": list(self.states),
            "nodes": [node.to_dict() for node in self.nodes],
            "outputs": dict(self.outputs),
            "layout": copy.deepcopy(self.layout),
        }

    def structure(self) -> dict[str, Any]:
        """What the cell computes, without its name, description or layout: two cells with
        equal structures are the same computation with the same parameter names."""
        return {"states": list(self.states), "nodes": [n.to_dict() for n in self.nodes], "outputs": dict(self.outputs)}

    def copy(self) -> CellDocument:
        return from_dict(self.to_dict())


def from_dict(data: Any) -> CellDocument:
    """Read a cell dict (as from `to_dict` or a cell file); raises CellFormatError."""
    if not isinstance(data, dict):
        raise CellFormatError(f"a cell must be a JSON object, not {type(data).__name__}")
    if data.get("format") != CELL_FORMAT:
        raise CellFormatError(f"field 'format' must be \"{CELL_FORMAT}\"; got {data.get('format')!r}")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise CellFormatError(f"field 'version' must be a whole number from 1; got {version!r}")
    if version > CELL_VERSION:
        raise CellFormatError(
            f"this cell was saved in format version {version}; this app reads up to {CELL_VERSION}: update the app"
        )
    states = _states(data.get("states"))
    nodes = _nodes(data.get("nodes"), states)
    return CellDocument(
        name=_text(data, "name", required=True),
        description=_text(data, "description"),
        states=states,
        nodes=nodes,
        outputs=_outputs(data.get("outputs"), states),
        layout=_layout(data.get("layout", {})),
    )


def name_problem(name: Any) -> str | None:
    """Why `name` cannot name a state or node, or None."""
    if not isinstance(name, str) or not _NAME.match(name):
        return f"{name!r} is not a valid name: use letters, digits and underscores, starting with a letter"
    if keyword.iskeyword(name) or name in ("self", "torch", "nn"):
        return f"'{name}' is reserved; choose another name"
    if name == INPUT:
        return f"'{INPUT}' is the cell's input; choose another name"
    return None


def _text(data: dict, key: str, required: bool = False) -> str:
    value = data.get(key, None if required else "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise CellFormatError(f"field '{key}' must be {'non-empty ' if required else ''}text; got {value!r}")
    return value


def _states(value: Any) -> list[str]:
    if not isinstance(value, list) or not value:
        raise CellFormatError('field \'states\' must be a list of state names, the emitted one first (e.g. ["h", "c"])')
    for index, name in enumerate(value):
        problem = name_problem(name)
        if problem:
            raise CellFormatError(f"field 'states[{index}]': {problem}")
    if len(set(value)) != len(value):
        raise CellFormatError("field 'states' names a state twice")
    return list(value)


def _nodes(value: Any, states: list[str]) -> list[CellNode]:
    if not isinstance(value, list):
        raise CellFormatError("field 'nodes' must be a list of nodes")
    nodes, taken = [], set(states)
    for index, entry in enumerate(value):
        where = f"nodes[{index}]"
        if not isinstance(entry, dict):
            raise CellFormatError(f"field '{where}' must be an object with 'id', 'op' and 'inputs'")
        node = _node(entry, where)
        if node.id in taken:
            raise CellFormatError(f"field '{where}.id': the name '{node.id}' is used twice")
        taken.add(node.id)
        nodes.append(node)
    return nodes


def _node(entry: dict, where: str) -> CellNode:
    node_id = entry.get("id")
    problem = name_problem(node_id)
    if problem:
        raise CellFormatError(f"field '{where}.id': {problem}")
    op = entry.get("op")
    if op not in PRIMITIVES:
        raise CellFormatError(f"field '{where}.op' must be one of {', '.join(PRIMITIVES)}; got {op!r}")
    inputs = entry.get("inputs", [])
    if not isinstance(inputs, list) or not all(isinstance(name, str) for name in inputs):
        raise CellFormatError(f"field '{where}.inputs' must be a list of names")
    gate = entry.get("gate")
    if gate is not None and (not isinstance(gate, str) or not gate.strip()):
        raise CellFormatError(f"field '{where}.gate' must be a gate name (text) or absent")
    return CellNode(node_id, op, list(inputs), _settings(PRIMITIVES[op], entry.get("settings", {}), where), gate)


def _settings(primitive, value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise CellFormatError(f"field '{where}.settings' must be an object")
    known = {s.name: s for s in primitive.settings}
    unknown = sorted(set(value) - set(known))
    if unknown:
        raise CellFormatError(f"field '{where}.settings': {primitive.label} has no setting '{unknown[0]}'")
    checked = {}
    for name, setting in known.items():
        checked[name] = _setting_value(setting, value.get(name, setting.default), f"{where}.settings.{name}")
    return checked


def _setting_value(setting, value: Any, where: str) -> Any:
    if setting.type == "bool":
        if not isinstance(value, bool):
            raise CellFormatError(f"field '{where}' must be true or false; got {value!r}")
        return value
    if not _finite(value):
        raise CellFormatError(f"field '{where}' must be a finite number; got {value!r}")
    if setting.type == "int":
        if float(value) != int(value):
            raise CellFormatError(f"field '{where}' must be a whole number; got {value!r}")
        value = int(value)
    if setting.minimum is not None and value < setting.minimum:
        raise CellFormatError(f"field '{where}' must be at least {setting.minimum:g}; got {value!r}")
    if setting.maximum is not None and value > setting.maximum:
        raise CellFormatError(f"field '{where}' must be at most {setting.maximum:g}; got {value!r}")
    return float(value) if setting.type == "float" else value


def _outputs(value: Any, states: list[str]) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise CellFormatError("field 'outputs' must map each state to the node computing its new value")
    unknown = [name for name in value if name not in states]
    if unknown:
        raise CellFormatError(f"field 'outputs': '{unknown[0]}' is not a declared state ({', '.join(states)})")
    return dict(value)


def _layout(value: Any) -> dict[str, list[float]]:
    if not isinstance(value, dict):
        raise CellFormatError("field 'layout' must map names to [x, y] positions")
    layout = {}
    for name, position in value.items():
        ok = isinstance(position, list) and len(position) == 2
        if not ok or not all(_finite(v) for v in position):
            raise CellFormatError(f"field 'layout.{name}' must be [x, y]")
        layout[str(name)] = [float(position[0]), float(position[1])]
    return layout


def _finite(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return abs(value) <= _LARGEST if isinstance(value, int) else math.isfinite(value)
