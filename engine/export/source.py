"""Readable, standalone PyTorch source for a graph: one nn.Module class importing only torch.

The class registers one submodule per block under the block's node id, as engine.compiler
does, so its state_dict keys are the compiled model's and a run's weights.safetensors loads
into it with strict=True. `forward` is written out in the compiler's order, one block at a
time, with the shape after each line. Only blocks that lead to the head are written. Each
block's lines come from its spec's `export` renderer (engine.blocks.codegen), and the loss
from its head rule, so this module knows no block type by name.

Nothing here imports torch: the text comes from the document and its inferred shapes, so
a code view can regenerate it on every edit. The same graph always gives the same text.
"""

from __future__ import annotations

import json
import keyword
import textwrap
from typing import Any

import networkx as nx

from ..blocks import get_spec
from ..blocks.codegen import LENGTH_NAMES, CodeStep, Fragment
from ..graph import GraphDocument
from ..project import Project
from ..shapes import input_code_words, output_code_words, output_shape
from ..validation import validate
from .errors import ExportError

_TAKEN = frozenset({"self", "torch", "nn", "h_n"})  # names the generated code itself uses
_INDENT = " " * 8
_WIDTH = 100


def generate_source(
    project_or_doc: Project | GraphDocument,
    data_signature,
    class_name: str = "RecurrentModel",
    variable_lengths: bool | None = None,
) -> str:
    """The model of a project (or graph document) as Python source; raises ExportError
    when the graph has errors or `class_name` is not a valid class name.

    `variable_lengths` (a model trained on padded variable-length data): forward takes
    `lengths=None` too and masks padding as the compiled model does (engine.packing);
    None: as the data signature says."""
    if variable_lengths is None:
        variable_lengths = getattr(data_signature, "variable_length", False)
    if not class_name.isidentifier() or keyword.iskeyword(class_name):
        raise ExportError(f"'{class_name}' is not a valid Python class name")
    is_project = isinstance(project_or_doc, Project)
    doc = project_or_doc.graph if is_project else project_or_doc
    steps, unused = _steps(doc, data_signature, variable_lengths)
    title = f"the project '{_escaped(project_or_doc.name)}'" if is_project else "a graph"
    input_name = next(step.var for step in steps if not step.args)
    docstring = _module_docstring(class_name, title, input_name, data_signature, unused, variable_lengths)
    definitions = "".join(text + "\n\n\n" for text in _definitions(steps))
    return f"{docstring}\nimport torch\nfrom torch import nn\n\n\n{definitions}{_class(class_name, steps, data_signature, variable_lengths)}\n"


# -- the graph as steps ----------------------------------------------------------------
def _steps(doc: GraphDocument, data, variable_lengths: bool = False) -> tuple[list[CodeStep], list[str]]:
    analysis = validate(doc, data)
    if analysis.errors:
        lines = "\n".join(f"  - {d.message}" for d in analysis.errors)
        raise ExportError(f"the model cannot be exported until these problems are fixed:\n{lines}")
    used = nx.ancestors(doc.graph, analysis.head) | {analysis.head}
    order = [node_id for node_id in analysis.shapes.order if node_id in used]
    names = _variable_names(order, _TAKEN | frozenset(LENGTH_NAMES) if variable_lengths else _TAKEN)
    steps = [_step(doc, node_id, analysis.shapes, names, data, variable_lengths) for node_id in order]
    return steps, [node_id for node_id in analysis.shapes.order if node_id not in used]


def _step(doc: GraphDocument, node_id: str, shapes, names: dict[str, str], data, lengths: bool) -> CodeStep:
    node = doc.node(node_id)
    by_port = {edge.target_port: edge.source for edge in doc.incoming(node_id)}
    ports = [port.name for port in node.spec.inputs]
    received = shapes.inputs[node_id]
    output = shapes.outputs.get(node_id) or output_shape(data)
    return CodeStep(
        node_id,
        node.type_name,
        node.params,
        tuple(received[p] for p in ports),
        tuple(names[by_port[p]] for p in ports),
        names[node_id],
        output,
        lengths,
    )


def _variable_names(node_ids: list[str], taken: frozenset[str] = _TAKEN) -> dict[str, str]:
    """A local variable per node, named after it unless that would hide a name the code uses."""
    names: dict[str, str] = {}
    for node_id in node_ids:
        name = node_id
        while name in taken or name in names.values():
            name += "_"
        names[node_id] = name
    return names


def _render(step: CodeStep) -> Fragment:
    render = get_spec(step.type_name).export
    if render is None:
        raise ExportError(f"code export does not support {step.type_name} blocks yet")
    return render(step)


# -- text --------------------------------------------------------------------------------
def _definitions(steps: list[CodeStep]) -> list[str]:
    """The top-level code the blocks' fragments need, in order, each text once."""
    return list(dict.fromkeys(text for step in steps for text in _render(step).definitions))


def _class(class_name: str, steps: list[CodeStep], data, variable_lengths: bool = False) -> str:
    rendered = [(step, _render(step)) for step in steps]
    return "\n".join(
        [
            f"class {class_name}(nn.Module):",
            '    """The graph\'s blocks as submodules named by their ids, run in the graph\'s order."""',
            "",
            *_init_method(rendered),
            "",
            *_forward_method(rendered, data, variable_lengths),
            "",
            *_loss_method(steps[-1]),
        ]
    )


def _init_method(rendered) -> list[str]:
    lines = [line for step, part in rendered if part.module for line in _assignment(step.node_id, *part.module)]
    return ["    def __init__(self) -> None:", f"{_INDENT}super().__init__()", *(_INDENT + line for line in lines)]


def _forward_method(rendered, data, variable_lengths: bool = False) -> list[str]:
    first, *others = [step.var for step, _ in rendered if not step.args]
    body = [f"{var} = {first}  # every input block receives the same data" for var in others]
    body += [line for _, part in rendered for line in part.lines] + [f"return {rendered[-1][0].var}"]
    if variable_lengths:
        return [
            f"    def forward(self, {first}: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:",
            f'{_INDENT}"""{first}: {input_code_words(data)}, padded at the end; lengths: int64 (B), each',
            f'{_INDENT}sequence\'s real steps (None: all T are real); returns {output_code_words(data)}."""',
            *(_INDENT + line for line in body),
        ]
    return [
        f"    def forward(self, {first}: torch.Tensor) -> torch.Tensor:",
        f'{_INDENT}"""{first}: {input_code_words(data)}; returns {output_code_words(data)}."""',
        *(_INDENT + line for line in body),
    ]


def _assignment(node_id: str, constructor: str, kwargs: dict[str, Any]) -> list[str]:
    arguments = ", ".join(f"{name}={_literal(value)}" for name, value in kwargs.items())
    opening = f"self.{node_id} = {constructor}("
    return textwrap.wrap(
        f"{arguments})",
        width=_WIDTH - len(_INDENT),
        initial_indent=opening,
        subsequent_indent=" " * len(opening),
        break_long_words=False,
        break_on_hyphens=False,
    )


def _loss_method(head: CodeStep) -> list[str]:
    loss = get_spec(head.type_name).head.loss(head.params)
    return [
        "    def loss(self, prediction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:",
        f'{_INDENT}"""The loss the head is trained with: {loss.words}."""',
        f"{_INDENT}return {loss.code}",
    ]


def _module_docstring(
    class_name: str, title: str, input_name: str, data, unused: list[str], variable_lengths: bool = False
) -> str:
    left_out = f"\nBlocks that do not lead to the head are left out: {', '.join(unused)}.\n" if unused else ""
    if variable_lengths:
        left_out += (
            f"\nVariable lengths: pass {input_name} padded at the end and lengths (int64, one per sequence);\n"
            "padding never changes the result, as in training.\n"
        )
    return f'''"""{class_name}: generated by Recurrent Studio from {title}.

Input:  {input_name}, {input_code_words(data)}; trained with T = {data.length}{" (the longest)" if variable_lengths else ""}.
Output: {output_code_words(data)}.
{left_out}
Submodules are named after the graph's blocks, so the state_dict keys match the weights
Recurrent Studio saves. Load a run's weights with:

    import safetensors.torch
    model = {class_name}()
    model.load_state_dict(safetensors.torch.load_file("weights.safetensors"))
    model.eval()
"""'''


def _literal(value: Any) -> str:
    return f'"{value}"' if isinstance(value, str) else repr(value)


def _escaped(text: str) -> str:
    """`text` safe inside a docstring: quotes, backslashes and control characters escaped."""
    return json.dumps(text, ensure_ascii=False)[1:-1]
