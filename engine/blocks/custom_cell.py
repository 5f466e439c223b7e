"""The Custom cell block: a recurrent layer whose cell the user draws (engine.cells).

The cell document is the block's `cell` parameter, stored inside the project file as a plain
dict (docs/project-format.md, "Custom cells"). A cell that cannot be read or does not work is
a problem on the block, in the cell's own words; cell warnings (unbounded growth, unread
states) are warnings on the block. The block is not `recurrent` in the catalogue's sense:
that flag means a fused RNN/LSTM/GRU block with layers and dropout, which this is not.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..cells import analyse, from_dict, parameter_count
from ..cells.document import CellFormatError
from ..cells.source import SCALE_CLASS, cell_class_source, needs_scale
from ..cells.templates import lstm
from .codegen import LENGTH_HELPERS, CodeStep, Fragment, comment
from .spec import SEQUENCE, VECTOR, BlockContext, BlockSpec, Param, Port, Shape, ShapeError

TYPE_NAME = "CustomCell"

PARAMS = (
    Param("hidden_size", "int", 64, 1, 4096, help="Units in the cell's states."),
    Param(
        "output",
        "choice",
        "sequence",
        choices=("sequence", "last"),
        help="'sequence' emits the first state at every step [batch, time, features]; 'last' its final value.",
    ),
    Param(
        "cell", "cell", lstm(), help="The cell drawn in the cell editor (double-click the block); starts as an LSTM."
    ),
)


def read_cell(params: Mapping[str, Any]):
    """The block's cell document and its analysis; ShapeError when it cannot be read or has errors."""
    try:
        doc = from_dict(params["cell"])
    except CellFormatError as error:
        raise ShapeError(f"its cell cannot be read: {error}") from None
    analysis = analyse(doc)
    if analysis.errors:
        raise ShapeError(f"cell '{doc.name}': " + "; ".join(d.message for d in analysis.errors))
    return doc, analysis


def cell_warnings(params: Mapping[str, Any]) -> list[str]:
    """The cell's warnings, for the block's diagnostics (none while it has errors)."""
    try:
        doc, analysis = read_cell(params)
    except ShapeError:
        return []
    return [f"cell '{doc.name}': {d.message}" for d in analysis.warnings]


def _infer(ctx: BlockContext) -> Shape:
    read_cell(ctx.params)
    size = ctx.params["hidden_size"]
    if ctx.params["output"] == "last":
        return Shape(VECTOR, size)
    return Shape(SEQUENCE, size, ctx.inputs["in"].length)


def _count(ctx: BlockContext) -> int:
    doc, analysis = read_cell(ctx.params)
    return parameter_count(doc, analysis, ctx.params["hidden_size"], ctx.inputs["in"].size)


def _build(ctx: BlockContext):
    from ..cells.module import CompiledCell

    doc, _ = read_cell(ctx.params)
    return CompiledCell(doc, ctx.inputs["in"].size, ctx.params["hidden_size"], ctx.params["output"])


def _export(step: CodeStep) -> Fragment:
    """The cell as its own class named after the block (two blocks may hold different cells
    of one name), created as `self.<id>`; "last" takes its final step, or on variable-length
    data each sequence's last real one (padded steps come after the real ones, so no real
    step depends on them, as in CompiledCell)."""
    doc, _ = read_cell(step.params)
    class_name = "".join(part[:1].upper() + part[1:] for part in step.node_id.split("_") if part) + "Cell"
    definitions = ((SCALE_CLASS,) if needs_scale(doc) else ()) + (
        cell_class_source(doc, step.inputs[0].size, step.params["hidden_size"], class_name),
    )
    call = f"self.{step.node_id}({step.args[0]})"
    if step.params["output"] == "last" and step.lengths:
        note = comment(step.output, "the last real step of each sequence")
        line = f"{step.var} = last_real_step({call}, lengths)  {note}"
        definitions += (LENGTH_HELPERS,)
    elif step.params["output"] == "last":
        line = f"{step.var} = {call}[:, -1]  {comment(step.output, 'the last step')}"
    else:
        line = f"{step.var} = {call}  {comment(step.output)}"
    return Fragment((class_name, {}), (line,), definitions)


CUSTOM_CELL = BlockSpec(
    TYPE_NAME,
    "Recurrent",
    "A recurrent cell you draw from gates: Linear maps, sigmoid, tanh, add, multiply… Double-click to open it.",
    inputs=(Port("in", (SEQUENCE,)),),
    output=Port("out", (SEQUENCE, VECTOR)),
    params=PARAMS,
    infer=_infer,
    build=_build,
    count_params=_count,
    warnings=cell_warnings,
    export=_export,
)

SPECS = (CUSTOM_CELL,)
