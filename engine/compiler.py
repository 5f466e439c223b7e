"""Compile a valid GraphDocument into one nn.Module.

Submodules are registered under their node ids, so state_dict keys read like the graph
(`encoder.weight_ih_l0`, `head.bias`) and stay stable while the graph is edited elsewhere.
The forward pass runs the nodes in topological order with one dict of values by node, as
torch.fx's Interpreter does; only blocks that lead to the head are built.
"""

from __future__ import annotations

import networkx as nx
import torch
from torch import nn

from .blocks import BlockContext, get_spec
from .errors import UserError
from .graph import GraphDocument
from .validation import Analysis, Diagnostic, validate


class CompileError(UserError, ValueError):
    """The graph has errors; `diagnostics` lists them."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = diagnostics
        lines = "\n".join(f"  - {d.message}" for d in diagnostics)
        super().__init__(f"the model cannot be built until these problems are fixed:\n{lines}")


class CompiledModel(nn.Module):
    """A graph as a module. `forward(x)` returns the head's prediction;
    `forward_all(x)` returns every built node's output by node id."""

    def __init__(
        self,
        steps: list[tuple[str, tuple[str, ...]]],
        modules: dict[str, nn.Module],
        head_id: str,
        input_ids: tuple[str, ...],
        types: dict[str, str],
    ):
        super().__init__()
        for node_id, module in modules.items():
            self.add_module(node_id, module)
        self.order = steps  # [(node id, ids of its inputs in port order)]
        self.head_id = head_id
        self.input_ids = input_ids
        self.block_types = types  # node id -> block type name

    def forward(self, x: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        return self.forward_all(x, lengths)[self.head_id]

    def forward_all(self, x: torch.Tensor, lengths: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
        """`lengths` (int64 [B]) marks a padded variable-length batch; blocks that read time
        (`takes_lengths`) then use each sequence's real steps only (see engine.packing)."""
        values: dict[str, torch.Tensor] = {}
        modules = self._modules
        for node_id, sources in self.order:
            args = [values[s] for s in sources] if sources else [x]
            module = modules[node_id]
            if lengths is not None and getattr(module, "takes_lengths", False):
                values[node_id] = module(*args, lengths=lengths)
            else:
                values[node_id] = module(*args)
        return values

    def fit_targets(self, y_train: torch.Tensor) -> None:
        """Let the head fit what it takes from the training targets (balanced class weights)."""
        fit = getattr(self._modules[self.head_id], "fit_targets", None)
        if fit is not None:
            fit(y_train)

    def loss(self, prediction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return self._modules[self.head_id].loss(prediction, target)

    def metric(self, prediction: torch.Tensor, target: torch.Tensor) -> float | None:
        return self._modules[self.head_id].metric(prediction, target)

    def recurrent_ids(self) -> list[str]:
        """Ids of the recurrent blocks (as their specs say, and drawn cells, which can trace
        themselves for the probes), in the order they run."""
        return [
            node_id
            for node_id, _ in self.order
            if get_spec(self.block_types[node_id]).recurrent or hasattr(self._modules[node_id], "probe_trace")
        ]


def compile_graph(doc: GraphDocument, data, analysis: Analysis | None = None) -> CompiledModel:
    """Build the module for `doc` against the DataSignature `data`; raises CompileError."""
    analysis = analysis or validate(doc, data)
    if analysis.errors:
        raise CompileError(analysis.errors)
    used = nx.ancestors(doc.graph, analysis.head) | {analysis.head}
    steps, modules, types = [], {}, {}
    for node_id in analysis.shapes.order:
        if node_id not in used:
            continue
        node = doc.node(node_id)
        received = analysis.shapes.inputs[node_id]
        modules[node_id] = node.spec.build(BlockContext(node.params, received, data))
        by_port = {edge.target_port: edge.source for edge in doc.incoming(node_id)}
        steps.append((node_id, tuple(by_port[port.name] for port in node.spec.inputs)))
        types[node_id] = node.type_name
    inputs = tuple(node_id for node_id, sources in steps if not sources)
    return CompiledModel(steps, modules, analysis.head, inputs, types)
