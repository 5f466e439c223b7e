"""The block catalogue: specs are complete, parameter checks work, counts match modules."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.blocks import CATALOGUE, CATEGORIES, BlockContext, Shape, get_spec
from engine.blocks.spec import Param

REQUIRED = {
    "SequenceInput",
    "TokenInput",
    "Embedding",
    "RNN",
    "LSTM",
    "GRU",
    "Linear",
    "Activation",
    "Dropout",
    "LayerNorm",
    "LastStep",
    "MeanOverTime",
    "Concat",
    "Add",
    "Regression",
    "Classification",
    "TokenPrediction",
}


def test_catalogue_has_every_required_block_with_help():
    assert REQUIRED <= set(CATALOGUE)
    for spec in CATALOGUE.values():
        assert spec.category in CATEGORIES
        assert spec.description
        for param in spec.params:
            assert param.help, f"{spec.type_name}.{param.name} has no help text"
            assert param.check(param.default) == param.default


def test_param_check_rejects_out_of_range_and_wrong_types():
    hidden = get_spec("LSTM").param("hidden_size")
    with pytest.raises(ValueError, match="at least 1"):
        hidden.check(0)
    with pytest.raises(ValueError, match="whole number"):
        hidden.check(2.5)
    with pytest.raises(ValueError, match="whole number from 1 to 4096"):
        hidden.check("64")
    with pytest.raises(ValueError, match="one of"):
        get_spec("LSTM").param("output").check("middle")
    with pytest.raises(ValueError, match="true or false"):
        Param("flag", "bool", False, help="x").check(1)


def test_unknown_block_type_names_the_known_ones():
    with pytest.raises(KeyError, match="LSTM"):
        get_spec("Transformer")


@settings(max_examples=25, deadline=None)
@given(
    cell=st.sampled_from(["RNN", "LSTM", "GRU"]),
    features=st.integers(1, 9),
    hidden=st.integers(1, 12),
    layers=st.integers(1, 3),
    bidirectional=st.booleans(),
    output=st.sampled_from(["sequence", "last"]),
)
def test_recurrent_param_count_and_shape_match_the_built_module(cell, features, hidden, layers, bidirectional, output):
    import torch

    spec = get_spec(cell)
    params = {
        **spec.defaults(),
        "hidden_size": hidden,
        "layers": layers,
        "bidirectional": bidirectional,
        "output": output,
    }
    ctx = BlockContext(params, {"in": Shape("sequence", features, 7)})
    module = spec.build(ctx)
    assert spec.count_params(ctx) == sum(p.numel() for p in module.parameters())
    out = module(torch.randn(3, 7, features))
    shape = spec.infer(ctx)
    expected = (3, 7, shape.size) if shape.kind == "sequence" else (3, shape.size)
    assert tuple(out.shape) == expected


def test_last_state_of_bidirectional_joins_both_directions():
    import torch

    spec = get_spec("GRU")
    params = {**spec.defaults(), "hidden_size": 4, "bidirectional": True, "output": "last"}
    module = spec.build(BlockContext(params, {"in": Shape("sequence", 3, 5)}))
    x = torch.randn(2, 5, 3)
    full, _ = torch.nn.GRU.forward(module, x)
    last = module(x)
    assert torch.equal(last[:, :4], full[:, -1, :4])  # forward direction at the last step
    assert torch.equal(last[:, 4:], full[:, 0, 4:])  # backward direction at the first step


@pytest.mark.parametrize(
    "type_name,inputs,params",
    [
        ("Linear", {"in": Shape("sequence", 5, 3)}, {"features": 7, "bias": True}),
        ("Linear", {"in": Shape("vector", 5)}, {"features": 2, "bias": False}),
        ("LayerNorm", {"in": Shape("sequence", 6, 3)}, {}),
        ("Embedding", {"tokens": Shape("tokens", 11, 3)}, {"dim": 4}),
    ],
)
def test_layer_param_counts_match_modules(type_name, inputs, params):
    spec = get_spec(type_name)
    ctx = BlockContext({**spec.defaults(), **params}, inputs)
    assert spec.count_params(ctx) == sum(p.numel() for p in spec.build(ctx).parameters())
