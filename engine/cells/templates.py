"""Cell templates: the built-in LSTM, GRU and Elman RNN drawn from primitives, and variants
from the literature, each with a one-line description of the question it tests.

The three built-in templates compute exactly what nn.LSTM, nn.GRU and nn.RNN compute, with
PyTorch's gate order (LSTM i, f, g, o; GRU r, z, n) and GRU's b_hn inside the reset product.
`builtin_kind` recognises an unchanged built-in template, which the compiler then runs on the
fused kernel; `FUSED_ROWS` says which nodes hold which rows of the fused weights.
Nothing here imports torch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .document import CELL_FORMAT, CELL_VERSION, CellDocument, from_dict


def _node(node_id: str, op: str, *inputs: str, gate: str | None = None, **settings: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": node_id, "op": op, "inputs": list(inputs)}
    if settings:
        entry["settings"] = settings
    if gate:
        entry["gate"] = gate
    return entry


def _cell(name: str, description: str, states: list[str], nodes: list[dict], outputs: dict[str, str]) -> dict:
    return {
        "format": CELL_FORMAT,
        "version": CELL_VERSION,
        "name": name,
        "description": description,
        "states": states,
        "nodes": nodes,
        "outputs": outputs,
        "layout": {},
    }


def _sigmoid_gate(name: str, *inputs: str, extra: tuple[dict, ...] = ()) -> list[dict]:
    """A Linear of `inputs` (plus, when given, the nodes in `extra` added to it) under a sigmoid gate."""
    if not extra:
        return [_node(f"{name}_lin", "linear", *inputs), _node(f"{name}_gate", "sigmoid", f"{name}_lin", gate=name)]
    summed = [_node(f"{name}_pre", "add", f"{name}_lin", *(e["id"] for e in extra))]
    return [
        _node(f"{name}_lin", "linear", *inputs),
        *extra,
        *summed,
        _node(f"{name}_gate", "sigmoid", f"{name}_pre", gate=name),
    ]


def _lstm_output(cell_source: str) -> list[dict]:
    return [
        _node("cell_squashed", "tanh", cell_source),
        _node("h_new", "multiply", "output_gate", "cell_squashed"),
    ]


def _candidate() -> list[dict]:
    return [_node("candidate_lin", "linear", "x", "h"), _node("candidate", "tanh", "candidate_lin")]


def lstm() -> dict:
    nodes = [
        *_sigmoid_gate("input", "x", "h"),
        *_sigmoid_gate("forget", "x", "h"),
        *_candidate(),
        *_sigmoid_gate("output", "x", "h"),
        _node("kept", "multiply", "forget_gate", "c"),
        _node("written", "multiply", "input_gate", "candidate"),
        _node("c_new", "add", "kept", "written"),
        *_lstm_output("c_new"),
    ]
    return _cell(
        "LSTM",
        "The standard LSTM, equal to nn.LSTM: the reference the variants are measured against.",
        ["h", "c"],
        nodes,
        {"h": "h_new", "c": "c_new"},
    )


def lstm_1997() -> dict:
    nodes = [
        *_sigmoid_gate("input", "x", "h"),
        *_candidate(),
        *_sigmoid_gate("output", "x", "h"),
        _node("written", "multiply", "input_gate", "candidate"),
        _node("c_new", "add", "c", "written"),
        *_lstm_output("c_new"),
    ]
    return _cell(
        "LSTM 1997 (no forget gate)",
        "Hochreiter & Schmidhuber's original LSTM: the cell state only accumulates; tests what the forget gate buys.",
        ["h", "c"],
        nodes,
        {"h": "h_new", "c": "c_new"},
    )


def peephole_lstm() -> dict:
    nodes = [
        *_sigmoid_gate("input", "x", "h", extra=(_node("input_peep", "scale", "c"),)),
        *_sigmoid_gate("forget", "x", "h", extra=(_node("forget_peep", "scale", "c"),)),
        *_candidate(),
        _node("kept", "multiply", "forget_gate", "c"),
        _node("written", "multiply", "input_gate", "candidate"),
        _node("c_new", "add", "kept", "written"),
        *_sigmoid_gate("output", "x", "h", extra=(_node("output_peep", "scale", "c_new"),)),
        *_lstm_output("c_new"),
    ]
    return _cell(
        "Peephole LSTM",
        "Gers & Schmidhuber's peepholes: the gates also read the cell state; tests whether gates need to see the memory.",
        ["h", "c"],
        nodes,
        {"h": "h_new", "c": "c_new"},
    )


def coupled_lstm() -> dict:
    nodes = [
        *_sigmoid_gate("input", "x", "h"),
        _node("keep", "one_minus", "input_gate"),
        *_candidate(),
        *_sigmoid_gate("output", "x", "h"),
        _node("kept", "multiply", "keep", "c"),
        _node("written", "multiply", "input_gate", "candidate"),
        _node("c_new", "add", "kept", "written"),
        *_lstm_output("c_new"),
    ]
    return _cell(
        "Coupled input-forget LSTM",
        "The cell forgets exactly as much as it writes (f = 1 − i); tests whether separate input and forget gates pay.",
        ["h", "c"],
        nodes,
        {"h": "h_new", "c": "c_new"},
    )


def _gru_blend() -> list[dict]:
    return [
        _node("keep_new", "one_minus", "update_gate"),
        _node("new_part", "multiply", "keep_new", "candidate"),
        _node("old_part", "multiply", "update_gate", "h"),
        _node("h_new", "add", "new_part", "old_part"),
    ]


def gru() -> dict:
    nodes = [
        *_sigmoid_gate("reset", "x", "h"),
        *_sigmoid_gate("update", "x", "h"),
        _node("candidate_x", "linear", "x"),
        _node("candidate_h", "linear", "h"),  # its bias is nn.GRU's b_hn: inside the reset product
        _node("reset_h", "multiply", "reset_gate", "candidate_h"),
        _node("candidate_pre", "add", "candidate_x", "reset_h"),
        _node("candidate", "tanh", "candidate_pre"),
        *_gru_blend(),
    ]
    return _cell(
        "GRU", "The standard GRU, equal to nn.GRU (b_hn inside the reset product).", ["h"], nodes, {"h": "h_new"}
    )


def gru_no_reset() -> dict:
    nodes = [*_sigmoid_gate("update", "x", "h"), *_candidate(), *_gru_blend()]
    return _cell(
        "GRU without reset gate",
        "The candidate always sees the whole previous state; tests what the reset gate buys.",
        ["h"],
        nodes,
        {"h": "h_new"},
    )


def elman_rnn() -> dict:
    nodes = [_node("pre", "linear", "x", "h"), _node("h_new", "tanh", "pre")]
    return _cell(
        "Elman RNN",
        "The plain tanh RNN, equal to nn.RNN: the baseline without gates that forgets fast.",
        ["h"],
        nodes,
        {"h": "h_new"},
    )


def blank() -> dict:
    """Where a cell drawn from nothing starts: x and h, and no node yet (so `h` is unwritten
    until something writes it). Not a template: it neither compiles nor claims anything."""
    return _cell("My cell", "A cell drawn from nothing.", ["h"], [], {})


@dataclass(frozen=True)
class Template:
    key: str
    make: Any  # () -> cell dict
    builtin: str | None = None  # "LSTM", "GRU" or "RNN" when it equals that fused module

    def document(self) -> CellDocument:
        return from_dict(self.make())

    @property
    def description(self) -> str:
        return self.make()["description"]

    @property
    def name(self) -> str:
        return self.make()["name"]


TEMPLATES: dict[str, Template] = {
    t.key: t
    for t in (
        Template("lstm", lstm, "LSTM"),
        Template("gru", gru, "GRU"),
        Template("rnn", elman_rnn, "RNN"),
        Template("lstm_1997", lstm_1997),
        Template("peephole_lstm", peephole_lstm),
        Template("coupled_lstm", coupled_lstm),
        Template("gru_no_reset", gru_no_reset),
    )
}


@dataclass(frozen=True)
class RowBlock:
    """Where one gate's rows of a fused module's weight_ih, weight_hh, bias_ih and bias_hh live
    in a built-in template: node ids, and for the weights which columns of the node ("x": the
    first F, the input's; "h": the rest, the state's; "all"). A bias of None is zeros."""

    w_ih: tuple[str, str]
    w_hh: tuple[str, str]
    b_ih: str
    b_hh: str | None = None


def _gate_rows(node_id: str) -> RowBlock:
    """A node reading (x, h): its rows of both weights side by side, one bias (b_ih + b_hh)."""
    return RowBlock((node_id, "x"), (node_id, "h"), node_id)


# Each built-in template's row blocks in the fused module's gate order (LSTM i, f, g, o; GRU
# r, z, n). GRU's candidate is two nodes, one per fused matrix, so b_hn stays inside the
# reset product.
FUSED_ROWS: dict[str, tuple[RowBlock, ...]] = {
    "LSTM": tuple(_gate_rows(n) for n in ("input_lin", "forget_lin", "candidate_lin", "output_lin")),
    "GRU": (
        _gate_rows("reset_lin"),
        _gate_rows("update_lin"),
        RowBlock(("candidate_x", "all"), ("candidate_h", "all"), "candidate_x", "candidate_h"),
    ),
    "RNN": (_gate_rows("pre"),),
}


def builtin_kind(doc: CellDocument) -> str | None:
    """'LSTM', 'GRU' or 'RNN' when `doc` computes exactly that built-in template, else None."""
    for template in TEMPLATES.values():
        if template.builtin and template.document().structure() == doc.structure():
            return template.builtin
    return None


def template_for_builtin(kind: str) -> CellDocument:
    """The template drawing the fused block type `kind` ("LSTM", "GRU" or "RNN")."""
    return next(t for t in TEMPLATES.values() if t.builtin == kind).document()
