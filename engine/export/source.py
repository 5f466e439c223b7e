"""Readable, standalone PyTorch source for a graph: one nn.Module class importing only torch.

The class registers one submodule per block under the block's node id, as engine.compiler
does, so its state_dict keys are the compiled model's and a run's weights.safetensors loads
into it with strict=True. `forward` is written out in the compiler's order, one block at a
time, with the shape after each line. Only blocks that lead to the head are written.

Nothing here imports torch: the text comes from the document and its inferred shapes, so
a code view can regenerate it on every edit. The same graph always gives the same text.
"""

from __future__ import annotations

import json
import keyword
import textwrap
from dataclasses import dataclass
from typing import Any

import networkx as nx

from ..graph import GraphDocument
from ..project import Project
from ..shapes import Shape, input_code_words, output_code_words, output_shape
from ..validation import validate
from .errors import ExportError

_TAKEN = frozenset({"self", "torch", "nn", "h_n"})  # names the generated code itself uses
_INDENT = " " * 8
_WIDTH = 100


@dataclass(frozen=True)
class _Step:
    """One block as the generated code sees it: inputs and names in port order."""

    node_id: str
    type_name: str
    params: dict[str, Any]
    inputs: tuple[Shape, ...]
    args: tuple[str, ...]
    var: str
    output: Shape


def generate_source(project_or_doc: Project | GraphDocument, data_signature, class_name: str = "RecurrentModel") -> str:
    """The model of a project (or graph document) as Python source; raises ExportError
    when the graph has errors or `class_name` is not a valid class name."""
    if not class_name.isidentifier() or keyword.iskeyword(class_name):
        raise ExportError(f"'{class_name}' is not a valid Python class name")
    is_project = isinstance(project_or_doc, Project)
    doc = project_or_doc.graph if is_project else project_or_doc
    steps, unused = _steps(doc, data_signature)
    title = f"the project '{_escaped(project_or_doc.name)}'" if is_project else "a graph"
    input_name = next(step.var for step in steps if not step.args)
    docstring = _module_docstring(class_name, title, input_name, data_signature, unused)
    return f"{docstring}\nimport torch\nfrom torch import nn\n\n\n{_class(class_name, steps, data_signature)}\n"


# -- the graph as steps ----------------------------------------------------------------
def _steps(doc: GraphDocument, data) -> tuple[list[_Step], list[str]]:
    analysis = validate(doc, data)
    if analysis.errors:
        lines = "\n".join(f"  - {d.message}" for d in analysis.errors)
        raise ExportError(f"the model cannot be exported until these problems are fixed:\n{lines}")
    used = nx.ancestors(doc.graph, analysis.head) | {analysis.head}
    order = [node_id for node_id in analysis.shapes.order if node_id in used]
    names = _variable_names(order)
    steps = [_step(doc, node_id, analysis.shapes, names, data) for node_id in order]
    return steps, [node_id for node_id in analysis.shapes.order if node_id not in used]


def _step(doc: GraphDocument, node_id: str, shapes, names: dict[str, str], data) -> _Step:
    node = doc.node(node_id)
    by_port = {edge.target_port: edge.source for edge in doc.incoming(node_id)}
    ports = [port.name for port in node.spec.inputs]
    received = shapes.inputs[node_id]
    output = shapes.outputs.get(node_id) or output_shape(data)
    return _Step(
        node_id,
        node.type_name,
        node.params,
        tuple(received[p] for p in ports),
        tuple(names[by_port[p]] for p in ports),
        names[node_id],
        output,
    )


def _variable_names(node_ids: list[str]) -> dict[str, str]:
    """A local variable per node, named after it unless that would hide a name the code uses."""
    names: dict[str, str] = {}
    for node_id in node_ids:
        name = node_id
        while name in _TAKEN or name in names.values():
            name += "_"
        names[node_id] = name
    return names


# -- per block type: (constructor, keyword arguments) or None, and the forward lines -----
def _recurrent(step: _Step):
    p = step.params
    kwargs = {
        "input_size": step.inputs[0].size,
        "hidden_size": p["hidden_size"],
        "num_layers": p["layers"],
        "batch_first": True,
        "bidirectional": p["bidirectional"],
        "dropout": p["dropout"] if p["layers"] > 1 else 0.0,
    }
    if step.type_name == "RNN":
        kwargs["nonlinearity"] = p["nonlinearity"]
    return (f"nn.{step.type_name}", kwargs), _recurrent_forward(step)


def _recurrent_forward(step: _Step) -> list[str]:
    call = f"self.{step.node_id}({step.args[0]})"
    if step.params["output"] == "sequence":
        return [f"{step.var}, _ = {call}  {_comment(step.output)}"]
    p = step.params
    states = p["layers"] * (2 if p["bidirectional"] else 1)
    unpack = "(h_n, _)" if step.type_name == "LSTM" else "h_n"
    first = f"_, {unpack} = {call}  # h_n: ({states}, B, {p['hidden_size']}), the final state of every layer"
    if p["bidirectional"]:
        note = _comment(step.output, "the top layer's final states, forward and backward")
        return [first + " and direction", f"{step.var} = torch.cat([h_n[-2], h_n[-1]], dim=-1)  {note}"]
    note = _comment(step.output, "the top layer's final state")
    return [first, f"{step.var} = h_n[-1]  {note}"]


def _input(step: _Step):
    return None, []  # the input is forward's argument: see _forward


def _embedding(step: _Step):
    kwargs = {"num_embeddings": step.inputs[0].size, "embedding_dim": step.params["dim"]}
    return ("nn.Embedding", kwargs), _apply(step)


def _linear(step: _Step):
    kwargs = {"in_features": step.inputs[0].size, "out_features": step.params["features"], "bias": step.params["bias"]}
    return ("nn.Linear", kwargs), _apply(step)


_FUNCTIONS = {"ReLU": "torch.relu", "Tanh": "torch.tanh", "Sigmoid": "torch.sigmoid", "GELU": "nn.functional.gelu"}


def _activation(step: _Step):
    function = _FUNCTIONS[step.params["function"]]
    return None, [f"{step.var} = {function}({step.args[0]})  {_comment(step.output)}"]


def _dropout(step: _Step):
    return ("nn.Dropout", {"p": step.params["rate"]}), _apply(step, "zeroes values only while training")


def _layer_norm(step: _Step):
    return ("nn.LayerNorm", {"normalized_shape": step.inputs[0].size}), _apply(step)


def _expression(template: str, note: str = ""):
    def render(step: _Step):
        return None, [f"{step.var} = {template.format(*step.args)}  {_comment(step.output, note)}"]

    return render


def _head(step: _Step):
    kwargs = {"in_features": step.inputs[0].size, "out_features": step.output.size}
    return ("nn.Linear", kwargs), _apply(step)


def _apply(step: _Step, note: str = "") -> list[str]:
    return [f"{step.var} = self.{step.node_id}({', '.join(step.args)})  {_comment(step.output, note)}"]


_RENDER = {
    "SequenceInput": _input,
    "TokenInput": _input,
    "Embedding": _embedding,
    "RNN": _recurrent,
    "LSTM": _recurrent,
    "GRU": _recurrent,
    "Linear": _linear,
    "Activation": _activation,
    "Dropout": _dropout,
    "LayerNorm": _layer_norm,
    "LastStep": _expression("{0}[:, -1]", "the last step"),
    "MeanOverTime": _expression("{0}.mean(dim=1)", "the mean over time"),
    "Concat": _expression("torch.cat([{0}, {1}], dim=-1)"),
    "Add": _expression("{0} + {1}"),
    "Regression": _head,
    "Classification": _head,
    "TokenPrediction": _head,
}

# Head type -> (what the loss is, its expression).
_LOSSES = {
    ("Regression", "mse"): ("mean squared error", "nn.functional.mse_loss(prediction, target)"),
    ("Regression", "l1"): ("mean absolute error (L1)", "nn.functional.l1_loss(prediction, target)"),
    ("Classification", None): (
        "cross-entropy, logits (B, C) and class ids (B,)",
        "nn.functional.cross_entropy(prediction, target)",
    ),
    ("TokenPrediction", None): (
        "cross-entropy per step, logits (B, T, V) and tokens (B, T)",
        "nn.functional.cross_entropy(prediction.flatten(0, 1), target.flatten())",
    ),
}


def _render(step: _Step):
    render = _RENDER.get(step.type_name)
    if render is None:
        raise ExportError(f"code export does not support {step.type_name} blocks yet")
    return render(step)


# -- text --------------------------------------------------------------------------------
def _class(class_name: str, steps: list[_Step], data) -> str:
    rendered = [(step, *_render(step)) for step in steps]
    return "\n".join(
        [
            f"class {class_name}(nn.Module):",
            '    """The graph\'s blocks as submodules named by their ids, run in the graph\'s order."""',
            "",
            *_init_method(rendered),
            "",
            *_forward_method(rendered, data),
            "",
            *_loss_method(steps[-1]),
        ]
    )


def _init_method(rendered) -> list[str]:
    lines = [line for step, module, _ in rendered if module for line in _assignment(step.node_id, *module)]
    return ["    def __init__(self) -> None:", f"{_INDENT}super().__init__()", *(_INDENT + line for line in lines)]


def _forward_method(rendered, data) -> list[str]:
    first, *others = [step.var for step, _, _ in rendered if not step.args]
    body = [f"{var} = {first}  # every input block receives the same data" for var in others]
    body += [line for _, _, lines in rendered for line in lines] + [f"return {rendered[-1][0].var}"]
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


def _loss_method(head: _Step) -> list[str]:
    what, expression = _LOSSES[head.type_name, head.params.get("loss")]
    return [
        "    def loss(self, prediction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:",
        f'{_INDENT}"""The loss the head is trained with: {what}."""',
        f"{_INDENT}return {expression}",
    ]


def _module_docstring(class_name: str, title: str, input_name: str, data, unused: list[str]) -> str:
    left_out = f"\nBlocks that do not lead to the head are left out: {', '.join(unused)}.\n" if unused else ""
    return f'''"""{class_name}: generated by Recurrent Studio from {title}.

Input:  {input_name}, {input_code_words(data)}; trained with T = {data.length}.
Output: {output_code_words(data)}.
{left_out}
Submodules are named after the graph's blocks, so the state_dict keys match the weights
Recurrent Studio saves. Load a run's weights with:

    import safetensors.torch
    model = {class_name}()
    model.load_state_dict(safetensors.torch.load_file("weights.safetensors"))
    model.eval()
"""'''


def _comment(shape: Shape, note: str = "") -> str:
    return f"# {shape.dims()}: {note}" if note else f"# {shape.dims()}"


def _literal(value: Any) -> str:
    return f'"{value}"' if isinstance(value, str) else repr(value)


def _escaped(text: str) -> str:
    """`text` safe inside a docstring: quotes, backslashes and control characters escaped."""
    return json.dumps(text, ensure_ascii=False)[1:-1]
