"""`main.py cell PROJECT BLOCK [action]`: the cell editor's actions on the command line.

Without an action, the Custom cell block's cell is listed: its states, its nodes, which node
writes each state, its diagnostics and their fixes, numbered for `--fix N`. Each editing
action is one of the pure edits of engine.cells (edits, wiring, fixes) applied to the cell
dict; the command says what changed and how many problems are left, and saves the project
atomically (engine.project.save_project). A refused edit is a UserError: one line, exit 2,
and the file is left untouched. `--open` turns a built-in RNN/LSTM/GRU block into a Custom
cell drawn from its template (engine.cells.conversion), as double-clicking it does.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..cli import EXIT_INVALID, EXIT_OK, guarded
from ..errors import UserError
from ..text import format_table
from .analysis import CellDiagnostic, analyse
from .conversion import has_template, open_builtin
from .document import CellFormatError, from_dict
from .edits import (
    CellEditError,
    add_node,
    add_state,
    node_entry,
    remove_node,
    remove_state,
    rename,
    set_gate,
    set_setting,
)
from .fixes import CellFix, fixes_for_diagnostic, fixes_for_wire
from .library import save_cell_file
from .ops import PRIMITIVES
from .templates import TEMPLATES
from .variants import CUSTOM_TYPE
from .wiring import Wire, connect, connection_problem, disconnect

Cell = dict[str, Any]
NEW_PREFIX = "new"  # DST `new:STATE` is the new value of STATE


# -- the edits: (cell, options) -> (new cell, what changed) ----------------------------------
def _add(cell: Cell, options: dict[str, Any]) -> tuple[Cell, str]:
    result, node_id = add_node(cell, options["add"], node_id=options["id"])
    inputs = _names(options["inputs"])
    for slot, name in enumerate(inputs):  # wire by wire, so each is checked as a drawn wire is
        result = connect(result, Wire(name, node_id, slot))
    reading = f" reading {', '.join(inputs)}" if inputs else ""
    return result, f"added {_label(result, node_id)}{reading}"


def _remove(cell: Cell, options: dict[str, Any]) -> tuple[Cell, str]:
    node_id = options["remove"]
    label = _label(cell, node_id)
    return remove_node(cell, node_id), f"removed {label}"


def _connect(cell: Cell, options: dict[str, Any]) -> tuple[Cell, str]:
    source, target = options["connect"]
    wire = _wire(cell, source, target, _appended)
    if options["fix_wire"] is not None:
        fix = _wire_fix(cell, wire, options["fix_wire"])
        return fix.cell, f"applied: {fix.title}"
    try:
        return connect(cell, wire), f"connected {wire.describe()}"
    except CellEditError:
        _print_wire_fixes(fixes_for_wire(cell, wire))
        raise


def _disconnect(cell: Cell, options: dict[str, Any]) -> tuple[Cell, str]:
    source, target = options["disconnect"]
    wire = _wire(cell, source, target, lambda inputs: _slot_of(source, target, inputs))
    return disconnect(cell, wire), f"disconnected {wire.describe()}"


def _gate(cell: Cell, options: dict[str, Any]) -> tuple[Cell, str]:
    node_id, name = options["gate"]
    change = f"marked '{node_id}' as gate '{name}'" if name else f"unmarked the gate of '{node_id}'"
    return set_gate(cell, node_id, name or None), change


def _set(cell: Cell, options: dict[str, Any]) -> tuple[Cell, str]:
    node_id, name, text = options["set"]
    value = _setting_value(text)
    return set_setting(cell, node_id, name, value), f"set {name} of '{node_id}' to {json.dumps(value)}"


def _add_state(cell: Cell, options: dict[str, Any]) -> tuple[Cell, str]:
    name = options["add_state"]
    change = f"added state '{name}' (write its new value with --connect NODE {NEW_PREFIX}:{name})"
    return add_state(cell, name), change


def _remove_state(cell: Cell, options: dict[str, Any]) -> tuple[Cell, str]:
    name = options["remove_state"]
    return remove_state(cell, name), f"removed state '{name}'"


def _rename(cell: Cell, options: dict[str, Any]) -> tuple[Cell, str]:
    old, new = options["rename"]
    return rename(cell, old, new), f"renamed '{old}' to '{new}'"


def _fix(cell: Cell, options: dict[str, Any]) -> tuple[Cell, str]:
    number = options["fix"]
    fixes = [fix for _, numbered in _diagnostics_with_fixes(cell) for _, fix in numbered]
    if not fixes:
        raise CellEditError("the cell has no fixes to offer")
    fix = _numbered(fixes, number, "list them by running the command without an action")
    return fix.cell, f"applied fix {number}: {fix.title}"


def _template(cell: Cell, options: dict[str, Any]) -> tuple[Cell, str]:
    key = options["template"]
    if key not in TEMPLATES:
        raise CellEditError(f"unknown template '{key}'; one of {', '.join(TEMPLATES)}")
    return TEMPLATES[key].make(), f"replaced the cell with the template {TEMPLATES[key].name}"


EDITS: dict[str, Callable[[Cell, dict[str, Any]], tuple[Cell, str]]] = {
    "add": _add,
    "remove": _remove,
    "connect": _connect,
    "disconnect": _disconnect,
    "gate": _gate,
    "set": _set,
    "add_state": _add_state,
    "remove_state": _remove_state,
    "rename": _rename,
    "fix": _fix,
    "template": _template,
}
ACTIONS = ("open", *EDITS, "save_to_library", "source")
MODIFIERS = {"inputs": "add", "id": "add", "fix_wire": "connect"}  # option -> the action it goes with
CELL_OPTIONS = (*ACTIONS, *MODIFIERS)  # main.py passes these, by argparse's names


@guarded
def cell_command(project_path: Path, block: str, options: dict[str, Any]) -> int:
    """List block `block`'s cell, or apply the one action set in `options` and save."""
    from ..project import load_project, save_project

    project = load_project(project_path, read_data=False)
    action = _chosen_action(options)
    if action == "open":
        return _open(project, block)
    node = _custom_block(project.graph, block)
    cell = node.params["cell"] if action == "template" else _readable(node)
    if action is None:
        return _show(node)
    if action == "save_to_library":
        print(f"wrote {save_cell_file(from_dict(cell), options['save_to_library'])}")
        return EXIT_OK
    if action == "source":
        return _source(project, node, cell)
    changed, change = EDITS[action](cell, options)
    project.graph.set_param(block, "cell", changed)
    save_project(project)
    print(f"{change}; {_problem_words(changed)}")
    return EXIT_OK


def _source(project, node, cell: Cell) -> int:
    """The cell as the readable nn.Module that code export writes, at the block's sizes."""
    from ..validation import validate
    from .source import cell_class_source

    problem = project.refresh_signature()
    received = validate(project.graph, project.graph.data).shapes.inputs.get(node.id, {}).get("in")
    if received is None:
        why = problem or "connect the block's input"
        raise UserError(f"{node.label()}: the size of its input is not known ({why}), so its source cannot be written")
    print(cell_class_source(from_dict(cell), received.size, node.params["hidden_size"]))
    return EXIT_OK


def _open(project, block: str) -> int:
    from ..project import save_project

    cell = open_builtin(project.graph, block).params["cell"]
    save_project(project)
    print(f"'{block}' is now a Custom cell drawn from the {cell['name']} template; {_problem_words(cell)}")
    return EXIT_OK


def _chosen_action(options: dict[str, Any]) -> str | None:
    """The action asked for (argparse lets at most one through), after checking its modifiers."""
    # `is not` rather than `in (None, False)`: --fix 0 is an action (refused), not a listing.
    chosen = next((name for name in ACTIONS if options.get(name) is not None and options[name] is not False), None)
    for modifier, action in MODIFIERS.items():
        if options.get(modifier) is not None and chosen != action:
            raise UserError(f"--{_flag(modifier)} goes with --{_flag(action)}")
    return chosen


def _custom_block(graph, block: str):
    node = graph.node(block)
    if node.type_name == CUSTOM_TYPE:
        return node
    if has_template(node.type_name):
        raise UserError(
            f"{node.label()} is a built-in block, not a Custom cell: turn it into one drawn from its template with --open"
        )
    raise UserError(
        f"{node.label()} has no cell; this command works on Custom cell blocks (--open turns an RNN, LSTM or GRU into one)"
    )


def _readable(node) -> Cell:
    """The block's cell dict; a UserError when it cannot be read (a template can replace it)."""
    try:
        from_dict(node.params["cell"])
    except CellFormatError as error:
        raise UserError(f"{node.label()}: its cell cannot be read: {error}; --template NAME replaces it") from None
    return node.params["cell"]


# -- the listing ----------------------------------------------------------------------------
def _show(node) -> int:
    cell = node.params["cell"]
    print(f"{node.label()}: cell '{cell['name']}', hidden size {node.params['hidden_size']}, "
          f"output {node.params['output']}")  # fmt: skip
    if cell["description"]:
        print(cell["description"])
    print()
    print(format_table(_state_rows(cell)))
    print()
    print(format_table(_node_rows(cell)))
    print()
    return _print_problems(cell)


def _state_rows(cell: Cell) -> list[tuple[str, str]]:
    rows = [("state", "new value from")]
    for index, state in enumerate(cell["states"]):
        name = f"{state} (emitted)" if index == 0 else state
        rows.append((name, cell["outputs"].get(state, "- (never written)")))
    return rows


def _node_rows(cell: Cell) -> list[tuple[str, ...]]:
    rows = [("node", "primitive", "inputs", "settings", "gate")]
    for node in from_dict(cell).nodes:
        settings = ", ".join(f"{name}={json.dumps(value)}" for name, value in node.settings.items())
        rows.append((node.id, node.primitive.label, ", ".join(node.inputs), settings, node.gate or ""))
    return rows


def _print_problems(cell: Cell) -> int:
    checked = _diagnostics_with_fixes(cell)
    if not checked:
        print("no problems")
        return EXIT_OK
    for diagnostic, numbered in checked:
        print(f"{diagnostic.severity}: {diagnostic.message}")
        for number, fix in numbered:
            print(f"  fix {number}: {fix.title}")
    if any(numbered for _, numbered in checked):
        print("apply a fix by running this command again with --fix N")
    return EXIT_INVALID if any(d.severity == "error" for d, _ in checked) else EXIT_OK


def _diagnostics_with_fixes(cell: Cell) -> list[tuple[CellDiagnostic, list[tuple[int, CellFix]]]]:
    """Every diagnostic with its fixes, numbered from 1 through the whole cell (as `--fix` counts)."""
    checked, number = [], 0
    for diagnostic in analyse(from_dict(cell)).diagnostics:
        numbered = []
        for fix in fixes_for_diagnostic(cell, diagnostic):
            number += 1
            numbered.append((number, fix))
        checked.append((diagnostic, numbered))
    return checked


def _problem_words(cell: Cell) -> str:
    analysis = analyse(from_dict(cell))
    counts = ((len(analysis.errors), "error"), (len(analysis.warnings), "warning"))
    left = [_count(number, noun) for number, noun in counts if number]
    return f"problems left: {', '.join(left)}" if left else "no problems left"


# -- helpers ---------------------------------------------------------------------------------
def _wire(cell: Cell, source: str, target: str, default_slot: Callable[[list[str]], int]) -> Wire:
    """SRC and DST[:SLOT] as a Wire: `new:STATE` is a state's new value; SLOT counts from 1, as
    the editor shows it; without SLOT, `default_slot` picks one from the node's inputs."""
    name, colon, slot = target.partition(":")
    if name == NEW_PREFIX and colon and not slot.isdigit():
        return Wire(source, slot, 0, True)
    if not colon:
        return Wire(source, name, default_slot(node_entry(cell, name)["inputs"]))
    if not slot.isdigit() or int(slot) < 1:
        raise CellEditError(f"'{target}': after ':' comes an input's number, counting from 1")
    return Wire(source, name, int(slot) - 1)


def _appended(inputs: list[str]) -> int:
    return len(inputs)


def _slot_of(source: str, target: str, inputs: list[str]) -> int:
    if source not in inputs:
        raise CellEditError(f"'{target}' does not read '{source}'")
    return inputs.index(source)


def _wire_fix(cell: Cell, wire: Wire, number: int) -> CellFix:
    if connection_problem(cell, wire) is None:
        raise CellEditError(f"the wire {wire.describe()} is accepted as it is; drop --fix-wire")
    fixes = fixes_for_wire(cell, wire)
    if not fixes:
        raise CellEditError(f"no fix is offered for the wire {wire.describe()}")
    return _numbered(fixes, number, "run --connect without --fix-wire to list them")


def _print_wire_fixes(fixes: list[CellFix]) -> None:
    if not fixes:
        return
    print("fixes for this wire:")
    for number, fix in enumerate(fixes, 1):
        print(f"  fix {number}: {fix.title}")
    print("apply one by running this command again with --fix-wire N")


def _numbered(fixes: list[CellFix], number: int, how_to_list: str) -> CellFix:
    if not 1 <= number <= len(fixes):
        raise CellEditError(f"there is no fix {number}: the fixes are numbered 1 to {len(fixes)} ({how_to_list})")
    return fixes[number - 1]


def _label(cell: Cell, node_id: str) -> str:
    return f"{PRIMITIVES[node_entry(cell, node_id)['op']].label} '{node_id}'"


def _names(text: str | None) -> list[str]:
    return [name.strip() for name in (text or "").split(",") if name.strip()]


def _setting_value(text: str) -> Any:
    """A setting typed on the command line, read as JSON (2, 0.5, true); anything else stays
    text, which the cell's check then refuses in words."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'s' if number != 1 else ''}"


def _flag(option: str) -> str:
    return option.replace("_", "-")
