"""Standalone source of a cell: readable, one line per primitive, and it loads the app's weights."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from engine.cells import TEMPLATES, from_dict
from engine.cells.module import CompiledCell
from engine.cells.source import SCALE_CLASS, cell_class_source, class_name_for, needs_scale
from engine.cells.templates import lstm


def _load(doc, features, hidden):
    """The generated class, made from its text alone (only torch and nn in scope)."""
    text = (SCALE_CLASS + "\n\n\n" if needs_scale(doc) else "") + cell_class_source(doc, features, hidden)
    namespace = {"torch": torch, "nn": nn}
    exec(compile(text, "<generated cell>", "exec"), namespace)
    return namespace[class_name_for(doc)](), text


@pytest.mark.parametrize("key", list(TEMPLATES))
def test_generated_cell_loads_the_apps_weights_strictly_and_computes_the_same(key):
    doc = TEMPLATES[key].document()
    torch.manual_seed(4)
    compiled = CompiledCell(doc, 3, 5)
    standalone, _ = _load(doc, 3, 5)
    standalone.load_state_dict(compiled.state_dict(), strict=True)
    x = torch.randn(2, 7, 3)
    assert torch.allclose(standalone(x), compiled(x), atol=1e-6)


def test_the_step_is_one_line_per_primitive_with_gates_marked():
    doc = TEMPLATES["lstm"].document()
    _, text = _load(doc, 2, 4)
    step = text[text.index("def step") : text.index("def forward")]
    assert all(f"        {node.id} = " in step for node in doc.nodes)
    assert "forget_gate = torch.sigmoid(forget_lin)  # (B, 4): gate 'forget'" in step
    assert "c_new = kept + written  # (B, 4)" in step
    assert '"forget_lin": nn.Linear(6, 4),' in text


def test_names_and_descriptions_cannot_break_out_of_the_docstring():
    data = lstm()
    data["name"] = '""" import os'
    data["description"] = 'line\nbreak \\ and "quotes"'
    doc = from_dict(data)
    _, text = _load(doc, 2, 4)
    assert "import os" in text and text.count('"""') == 6  # the docstrings of the class, step and forward, nothing more


def test_a_cell_with_errors_has_no_source():
    data = lstm()
    data["outputs"].pop("c")
    with pytest.raises(ValueError, match="never written"):
        cell_class_source(from_dict(data), 2, 4)
