"""Every block spec keeps its contracts: the parameter count it states is the module's, its
export renderer writes a submodule with the built module's state_dict keys (so saved weights
load with strict=True) and the same outputs, and it names a category colour and an icon.

Each block is tested inside the smallest graph that can hold it, built from its ports alone,
so a new spec is covered without writing a graph for it.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import re
from pathlib import Path

import pytest
import torch
from conftest import FakeSignature

from engine.blocks import CATALOGUE, SEQUENCE, TOKENS, VECTOR, get_spec
from engine.compiler import compile_graph
from engine.export import ExportError, generate_source, save_source
from engine.graph import GraphDocument

ROOT = Path(__file__).resolve().parents[1]
SEQUENCES = FakeSignature(features=3, length=7, n_outputs=2)
TOKEN_DATA = FakeSignature(
    input_kind="tokens", features=None, vocab_size=9, length=7, target_kind="tokens", n_outputs=9
)
CLASSES = FakeSignature(features=3, length=7, target_kind="classification", n_outputs=4)


def harness(type_name: str) -> tuple[GraphDocument, FakeSignature]:
    """The block `type_name` (node id 'block') between the data and a head."""
    spec = get_spec(type_name)
    takes_tokens = any(TOKENS in port.kinds for port in spec.inputs) or (spec.output and spec.output.kinds == (TOKENS,))
    data = TOKEN_DATA if takes_tokens else SEQUENCES
    if spec.head is not None:
        data = {"tokens": TOKEN_DATA, "classification": CLASSES}.get(spec.head.target_kind, SEQUENCES)
    doc = GraphDocument()
    doc.data = data
    block = doc.add_node(type_name, node_id="block")
    if spec.inputs:
        source = _chain(doc, ["TokenInput"] if data.input_kind == TOKENS else ["SequenceInput"])
        if data is TOKEN_DATA and not takes_tokens:
            source = _chain(doc, ["Embedding"], source)
        if all(VECTOR in port.kinds and SEQUENCE not in port.kinds for port in spec.inputs):
            source = _chain(doc, ["LastStep"], source)
        for port in spec.inputs:
            doc.connect(source, "out", block.id, port.name)
    if spec.head is None:
        tail = {TOKENS: ["Embedding", "TokenPrediction"], SEQUENCE: ["LastStep", "Regression"]}
        kind = spec.output.kinds[0]
        _chain(doc, tail.get(kind, ["Regression"]) if data is not TOKEN_DATA else _token_tail(kind), block.id)
    return doc, data


def _token_tail(kind: str) -> list[str]:
    return {TOKENS: ["Embedding", "TokenPrediction"], SEQUENCE: ["TokenPrediction"]}[kind]


def _chain(doc: GraphDocument, types: list[str], after: str | None = None) -> str:
    for type_name in types:
        node = doc.add_node(type_name)
        if after is not None:
            doc.connect(after, "out", node.id, node.spec.inputs[0].name)
        after = node.id
    return after


def _import(source: str, folder: Path):
    path = save_source(source, folder / "generated.py")
    module_spec = importlib.util.spec_from_file_location("generated", path)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module.RecurrentModel()


def _batch(data):
    generator = torch.Generator().manual_seed(3)
    if data.input_kind == TOKENS:
        return torch.randint(0, data.vocab_size, (2, data.length), generator=generator)
    return torch.randn(2, data.length, data.features, generator=generator)


BLOCKS = sorted(CATALOGUE)


@pytest.mark.parametrize("type_name", BLOCKS)
def test_the_stated_parameter_count_is_the_built_modules(type_name):
    from engine.validation import validate

    doc, data = harness(type_name)
    analysis = validate(doc, data)
    assert analysis.ok, [d.message for d in analysis.errors]
    model = compile_graph(doc, data, analysis)
    built = sum(p.numel() for p in model.get_submodule("block").parameters())
    assert analysis.param_counts["block"] == built


@pytest.mark.parametrize("type_name", [name for name in BLOCKS if CATALOGUE[name].export is not None])
def test_exported_source_has_the_built_state_dict_keys_and_outputs(type_name, tmp_path):
    doc, data = harness(type_name)
    torch.manual_seed(0)
    compiled = compile_graph(doc, data).eval()
    generated = _import(generate_source(doc, data), tmp_path).eval()
    assert list(generated.state_dict()) == list(compiled.state_dict())
    generated.load_state_dict(compiled.state_dict(), strict=True)
    x = _batch(data)
    with torch.no_grad():
        assert torch.equal(generated(x), compiled(x))


def test_a_block_without_an_export_renderer_is_refused_in_words(monkeypatch):
    unexportable = dataclasses.replace(CATALOGUE["MeanOverTime"], type_name="Unexportable", export=None)
    monkeypatch.setitem(CATALOGUE, "Unexportable", unexportable)
    doc, data = harness("Unexportable")
    with pytest.raises(ExportError, match="code export does not support Unexportable blocks yet"):
        generate_source(doc, data)


@pytest.mark.parametrize("type_name", BLOCKS)
def test_every_block_has_a_colour_an_icon_and_help(type_name):
    spec = CATALOGUE[type_name]
    assert re.fullmatch(r"#[0-9a-f]{6}", spec.colour)
    assert (ROOT / "resources" / "icons" / spec.icon_name).is_file()
    assert spec.description and all(param.help for param in spec.params)


def test_heads_describe_every_loss_they_offer():
    for spec in CATALOGUE.values():
        if spec.head is None:
            continue
        choices = spec.param(spec.head.loss_param).choices if spec.head.loss_param else (None,)
        for choice in choices:
            params = {**spec.defaults(), **({spec.head.loss_param: choice} if choice else {})}
            loss = spec.head.loss(params)
            assert loss.words and "prediction" in loss.code and "target" in loss.code
