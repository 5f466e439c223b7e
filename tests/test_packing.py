"""Padding equivalence: a padded variable-length batch gives each sequence exactly the outputs
and gradients it gets alone, for every cell, stacked and bidirectional layers, pooling and heads."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from conftest import FakeSignature, make_chain

from engine.blocks.modules import LastStep, MeanOverTime, TokenPredictionHead, build_recurrent
from engine.compiler import compile_graph
from engine.graph import GraphDocument
from engine.packing import IGNORE_INDEX, check_lengths, pad_sequences, run_packed, step_mask

LENGTHS = [5, 2, 4, 1]
STEPS, FEATURES, HIDDEN = 5, 3, 4


def _padded_batch(seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """(B, T, F) float64 with garbage (not zeros) at padding, and its lengths."""
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(len(LENGTHS), STEPS, FEATURES, generator=generator, dtype=torch.float64)
    lengths = torch.tensor(LENGTHS)
    x[~step_mask(lengths, STEPS)] = 1e3  # padding must not leak into any real step
    return x, lengths


def _block(cell: str, layers: int, bidirectional: bool, emit: str) -> torch.nn.Module:
    torch.manual_seed(1)
    return build_recurrent(cell, FEATURES, HIDDEN, layers, bidirectional, 0.0, emit).double()


def _grads(module: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {name: p.grad.clone() for name, p in module.named_parameters()}


CASES = [
    (cell, layers, bidirectional)
    for cell in ("RNN", "LSTM", "GRU")
    for layers in (1, 2)
    for bidirectional in (False, True)
]


@pytest.mark.parametrize(("cell", "layers", "bidirectional"), CASES)
@pytest.mark.parametrize("emit", ["sequence", "last"])
def test_padded_batch_matches_each_sequence_alone(cell, layers, bidirectional, emit):
    block = _block(cell, layers, bidirectional, emit)
    x, lengths = _padded_batch()
    weights = torch.randn(HIDDEN * (2 if bidirectional else 1), dtype=torch.float64)

    batch_out = block(x, lengths=lengths)
    real = batch_out if emit == "last" else batch_out[step_mask(lengths, STEPS)]
    (real @ weights).pow(2).sum().backward()
    batch_grads = _grads(block)

    block.zero_grad()
    alone_outs = []
    for row, length in enumerate(LENGTHS):
        out = block(x[row : row + 1, :length])  # the plain fused path, no lengths
        alone_outs.append(out[0])
        (out @ weights).pow(2).sum().backward()
    if emit == "last":
        torch.testing.assert_close(batch_out, torch.stack(alone_outs), rtol=1e-10, atol=1e-12)
    else:
        for row, length in enumerate(LENGTHS):
            torch.testing.assert_close(batch_out[row, :length], alone_outs[row], rtol=1e-10, atol=1e-12)
            assert torch.count_nonzero(batch_out[row, length:]) == 0
    for name, grad in _grads(block).items():
        torch.testing.assert_close(batch_grads[name], grad, rtol=1e-9, atol=1e-12, msg=name)


def test_bidirectional_backward_direction_starts_at_each_sequences_last_step():
    block = _block("GRU", 1, True, "sequence")
    x, lengths = _padded_batch()
    out = block(x, lengths=lengths)
    short = block(x[1:2, :2])  # the backward half at step 0 has read exactly steps 1 and 0
    torch.testing.assert_close(out[1, 0, HIDDEN:], short[0, 0, HIDDEN:], rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("cell", ["RNN", "LSTM", "GRU"])
def test_forward_only_layers_on_the_padded_batch_equal_a_packed_run(cell):
    block = _block(cell, 2, False, "last")
    reference = getattr(torch.nn, cell)(FEATURES, HIDDEN, num_layers=2, batch_first=True).double()
    reference.load_state_dict(block.state_dict())
    x, lengths = _padded_batch()
    _, state = run_packed(reference.forward, x, lengths)
    h_n = state[0] if isinstance(state, tuple) else state
    torch.testing.assert_close(block(x, lengths=lengths), h_n[-1], rtol=1e-10, atol=1e-12)


def test_pooling_reads_real_steps_only():
    x, lengths = _padded_batch()
    last = LastStep()(x, lengths=lengths)
    mean = MeanOverTime()(x, lengths=lengths)
    for row, length in enumerate(LENGTHS):
        torch.testing.assert_close(last[row], x[row, length - 1])
        torch.testing.assert_close(mean[row], x[row, :length].mean(dim=0))


def test_without_lengths_pooling_and_recurrence_are_unchanged():
    x, _ = _padded_batch()
    torch.testing.assert_close(LastStep()(x), x[:, -1], rtol=0, atol=0)
    torch.testing.assert_close(MeanOverTime()(x), x.mean(dim=1), rtol=0, atol=0)
    block = _block("LSTM", 2, True, "sequence")
    reference = torch.nn.LSTM(FEATURES, HIDDEN, num_layers=2, bidirectional=True, batch_first=True).double()
    reference.load_state_dict(block.state_dict())
    torch.testing.assert_close(block(x), reference(x)[0], rtol=0, atol=0)


def test_per_step_head_ignores_padding_in_loss_and_metric():
    torch.manual_seed(0)
    head = TokenPredictionHead(3, 6)
    features = torch.randn(2, 4, 3)
    target = torch.tensor([[1, 2, 3, 4], [5, 0, IGNORE_INDEX, IGNORE_INDEX]])
    logits = head(features)
    real = target != IGNORE_INDEX
    expected = torch.nn.functional.cross_entropy(logits[real], target[real])
    torch.testing.assert_close(head.loss(logits, target), expected)
    accuracy = (logits.argmax(-1)[real] == target[real]).float().mean().item()
    assert head.metric(logits, target) == pytest.approx(accuracy)
    logits_changed = logits.detach().clone()
    logits_changed[1, 2:] = torch.randn(2, 6) * 100  # padding steps: nothing may change
    assert head.loss(logits_changed, target).item() == pytest.approx(head.loss(logits, target).item())


def _classifier(cell: str) -> torch.nn.Module:
    doc = GraphDocument()
    doc.data = FakeSignature(features=FEATURES, length=STEPS, target_kind="classification", n_outputs=3)
    make_chain(
        doc,
        "SequenceInput",
        ("Linear", {"features": 6}),
        (cell, {"hidden_size": HIDDEN, "layers": 2, "bidirectional": True}),
        "MeanOverTime",
        "Classification",
    )
    torch.manual_seed(2)
    return compile_graph(doc, doc.data).double()


@pytest.mark.parametrize("cell", ["RNN", "LSTM", "GRU"])
def test_compiled_model_passes_lengths_to_every_block_that_reads_time(cell):
    model = _classifier(cell)
    x, lengths = _padded_batch()
    batch = model(x, lengths=lengths)
    alone = torch.cat([model(x[row : row + 1, :length]) for row, length in enumerate(LENGTHS)])
    torch.testing.assert_close(batch, alone, rtol=1e-10, atol=1e-12)
    assert not torch.allclose(model(x), alone)  # without lengths the padding is read


def test_balanced_class_weights_fit_from_training_labels():
    doc = GraphDocument()
    doc.data = FakeSignature(features=2, length=3, target_kind="classification", n_outputs=3)
    make_chain(doc, "SequenceInput", ("GRU", {"output": "last"}), ("Classification", {"class_weights": "balanced"}))
    model = compile_graph(doc, doc.data)
    model.fit_targets(torch.tensor([0, 0, 0, 0, 1, 1, 2, 2]))
    head = model._modules[model.head_id]
    torch.testing.assert_close(head.loss_weight, torch.tensor([8 / 12, 8 / 6, 8 / 6]))
    assert "loss_weight" not in " ".join(model.state_dict())  # fitted, never saved


def test_pad_sequences_and_length_checks():
    padded, lengths = pad_sequences([np.ones((2, 3)), np.ones((4, 3))], 0.0, np.float32)
    assert padded.shape == (2, 4, 3) and lengths.tolist() == [2, 4] and padded[0, 2:].sum() == 0
    check_lengths("lengths", torch.tensor([1, 4]), 2, 4)
    with pytest.raises(ValueError, match="1..4"):
        check_lengths("lengths", torch.tensor([0, 4]), 2, 4)
    with pytest.raises(ValueError, match="needs torch.int64"):
        check_lengths("lengths", torch.tensor([1.0, 4.0]), 2, 4)
