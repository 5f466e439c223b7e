"""Compiled cells: the built-in templates equal nn.LSTM / nn.GRU / nn.RNN in outputs and
gradients, on the fused path and on the general loop; variants compute what they claim."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from engine.cells import TEMPLATES, from_dict
from engine.cells.module import CellError, CompiledCell, load_builtin_weights
from engine.cells.templates import FUSED_ROWS, lstm

FEATURES, HIDDEN = 3, 5
BUILTINS = [("lstm", nn.LSTM), ("gru", nn.GRU), ("rnn", nn.RNN)]


def _pair(key, fused_class, fused_path):
    torch.manual_seed(1)
    reference = fused_class(FEATURES, HIDDEN, batch_first=True)
    cell = CompiledCell(TEMPLATES[key].document(), FEATURES, HIDDEN, fused=fused_path)
    load_builtin_weights(cell, reference)
    return reference, cell


def _expected_grads(key, reference):
    """The reference's gradients laid out as the template's nodes hold their weights."""
    g = {name: p.grad for name, p in reference.named_parameters()}
    pieces: dict[str, dict[str, torch.Tensor]] = {}
    for index, block in enumerate(FUSED_ROWS[TEMPLATES[key].builtin]):
        rows = slice(index * HIDDEN, (index + 1) * HIDDEN)
        for (node_id, part), name in ((block.w_ih, "weight_ih_l0"), (block.w_hh, "weight_hh_l0")):
            pieces.setdefault(f"nodes.{node_id}.weight", {})[part] = g[name][rows]
        pieces.setdefault(f"nodes.{block.b_ih}.bias", {})["all"] = g["bias_ih_l0"][rows]
        if block.b_hh:
            pieces.setdefault(f"nodes.{block.b_hh}.bias", {})["all"] = g["bias_hh_l0"][rows]
    return {name: torch.cat([p[k] for k in ("x", "h", "all") if k in p], dim=-1) for name, p in pieces.items()}


@pytest.mark.parametrize("fused_path", [True, False], ids=["fused kernel", "general loop"])
@pytest.mark.parametrize("key, fused_class", BUILTINS, ids=[k for k, _ in BUILTINS])
def test_builtin_templates_equal_pytorch_in_outputs_and_gradients(key, fused_class, fused_path):
    reference, cell = _pair(key, fused_class, fused_path)
    assert (cell.builtin is not None) == fused_path
    x = torch.randn(4, 9, FEATURES)
    x_ref, x_cell = x.clone().requires_grad_(), x.clone().requires_grad_()
    target = torch.randn(4, 9, HIDDEN)
    out_ref, _ = reference(x_ref)
    out_cell = cell(x_cell)
    assert torch.allclose(out_cell, out_ref, atol=1e-5, rtol=0)
    ((out_ref - target) ** 2).sum().backward()
    ((out_cell - target) ** 2).sum().backward()
    assert torch.allclose(x_cell.grad, x_ref.grad, atol=1e-5, rtol=0)
    expected = _expected_grads(key, reference)
    actual = {name: p.grad for name, p in cell.named_parameters()}
    assert actual.keys() == expected.keys()
    for name, grad in expected.items():
        assert torch.allclose(actual[name], grad, atol=1e-5, rtol=0), name


def test_both_paths_share_one_state_dict_and_the_last_state():
    fast = CompiledCell(TEMPLATES["lstm"].document(), FEATURES, HIDDEN, emit="last")
    slow = CompiledCell(TEMPLATES["lstm"].document(), FEATURES, HIDDEN, emit="last", fused=False)
    slow.load_state_dict(fast.state_dict(), strict=True)
    x = torch.randn(2, 6, FEATURES)
    assert fast(x).shape == (2, HIDDEN)
    assert torch.allclose(fast(x), slow(x), atol=1e-6)


def test_trace_returns_every_marked_gate_and_state_per_step():
    cell = CompiledCell(TEMPLATES["lstm"].document(), FEATURES, HIDDEN)
    x = torch.randn(2, 6, FEATURES)
    trace = cell.trace(x)
    assert set(trace.gates) == {"input", "forget", "output"}
    assert trace.gates["forget"].shape == (2, 6, HIDDEN)
    assert ((trace.gates["forget"] > 0) & (trace.gates["forget"] < 1)).all()
    assert len(trace.states["c"]) == 6 and trace.states["h"][-1].requires_grad
    assert torch.allclose(trace.output, cell(x), atol=1e-6)


def test_1997_lstm_is_the_standard_lstm_with_its_forget_gate_held_open():
    torch.manual_seed(2)
    standard = CompiledCell(TEMPLATES["lstm"].document(), FEATURES, HIDDEN, fused=False)
    original = CompiledCell(TEMPLATES["lstm_1997"].document(), FEATURES, HIDDEN)
    original.load_state_dict({k: v for k, v in standard.state_dict().items() if "forget" not in k})
    with torch.no_grad():
        standard.nodes["forget_lin"].weight.zero_()
        standard.nodes["forget_lin"].bias.fill_(40.0)  # σ(40) is 1 in float32
    x = torch.randn(3, 8, FEATURES)
    assert torch.allclose(standard(x), original(x), atol=1e-6)


def test_peephole_lstm_with_zero_peepholes_is_the_standard_lstm():
    torch.manual_seed(3)
    standard = CompiledCell(TEMPLATES["lstm"].document(), FEATURES, HIDDEN)
    peephole = CompiledCell(TEMPLATES["peephole_lstm"].document(), FEATURES, HIDDEN)
    state = dict(standard.state_dict())
    state.update({f"nodes.{gate}_peep.weight": torch.zeros(HIDDEN) for gate in ("input", "forget", "output")})
    peephole.load_state_dict(state, strict=True)
    x = torch.randn(3, 8, FEATURES)
    assert torch.allclose(standard(x), peephole(x), atol=1e-6)
    with torch.no_grad():
        peephole.nodes["output_peep"].weight.fill_(1.0)
    assert not torch.allclose(standard(x), peephole(x), atol=1e-3)


@pytest.mark.parametrize("key", ["coupled_lstm", "gru_no_reset"])
def test_variants_train_a_step(key):
    cell = CompiledCell(TEMPLATES[key].document(), FEATURES, HIDDEN, emit="last")
    x = torch.randn(4, 7, FEATURES)
    loss = cell(x).pow(2).sum()
    loss.backward()
    assert all(p.grad is not None and torch.isfinite(p.grad).all() for p in cell.parameters())


def test_a_cell_with_errors_does_not_compile():
    doc = lstm()
    del doc["outputs"]["c"]
    with pytest.raises(CellError, match="state 'c' is never written"):
        CompiledCell(from_dict(doc), FEATURES, HIDDEN)
