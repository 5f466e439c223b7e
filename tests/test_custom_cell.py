"""The Custom cell block in the outer graph: saved in the project, checked, compiled, trained."""

from __future__ import annotations

import json

import pytest
import torch
from conftest import FakeSignature, make_chain

from engine.cells.templates import TEMPLATES, elman_rnn, lstm_1997
from engine.compiler import compile_graph
from engine.graph import GraphDocument
from engine.project import load_project, project_from_dict, save_project
from engine.training import train
from engine.validation import ERROR, WARNING, validate


def _graph(cell, hidden=6, output="last"):
    doc = GraphDocument()
    doc.data = FakeSignature(features=3, length=9, n_outputs=1)
    make_chain(
        doc, "SequenceInput", ("CustomCell", {"hidden_size": hidden, "output": output, "cell": cell}), "Regression"
    )
    return doc


def test_a_custom_cell_project_saves_loads_and_trains(tmp_path):
    project = load_project("projects/adding_lstm.rsproj")
    content = project.to_dict()
    content["graph"]["nodes"][1].update(
        type="CustomCell", params={"hidden_size": 8, "output": "last", "cell": lstm_1997()}
    )
    content["data"]["params"].update(length=12, n_train=48, n_val=16)
    path = tmp_path / "custom.rsproj"
    save_project(project_from_dict(content), path)
    loaded = load_project(path)
    assert loaded.graph.node("memory").params["cell"] == lstm_1997()
    assert validate(loaded.graph, loaded.graph.data).diagnostics == []
    events = []
    result = train(
        loaded, events.append, steps=6, record=False, overrides={"probe_every": 0, "eval_every": 3, "batch_size": 16}
    )
    losses = [e["loss"] for e in events if e["type"] == "step"]
    assert result.status == "finished" and len(losses) == 6 and all(map(torch.isfinite, torch.tensor(losses)))


def test_weights_are_named_by_block_and_cell_node_and_counted_exactly():
    doc = _graph(TEMPLATES["peephole_lstm"].make())
    analysis = validate(doc, doc.data)
    model = compile_graph(doc, doc.data, analysis)
    keys = set(model.state_dict())
    assert {"custom_cell_1.nodes.forget_lin.weight", "custom_cell_1.nodes.output_peep.weight"} <= keys
    built = sum(p.numel() for p in model.custom_cell_1.parameters())
    assert analysis.param_counts["custom_cell_1"] == built
    assert model(torch.randn(2, 9, 3)).shape == (2, 1)


def test_a_broken_cell_is_a_problem_on_the_block_in_the_cells_words():
    cell = lstm_1997()
    del cell["outputs"]["c"]
    doc = _graph(cell)
    (error,) = [d for d in validate(doc, doc.data).diagnostics if d.severity == ERROR]
    assert error.node == "custom_cell_1"
    assert "state 'c' is never written" in error.message
    unreadable = _graph({"format": "recurrent-studio-cell", "version": 1, "name": "x", "states": []})
    (error,) = [d for d in validate(unreadable, unreadable.data).diagnostics if d.severity == ERROR]
    assert "its cell cannot be read: field 'states'" in error.message


def test_cell_warnings_become_warnings_on_the_block():
    cell = elman_rnn()
    cell["nodes"][1]["op"] = "relu"
    doc = _graph(cell)
    (warning,) = [d for d in validate(doc, doc.data).diagnostics if d.severity == WARNING]
    assert warning.node == "custom_cell_1" and "can grow without bound" in warning.message


def test_last_output_of_a_padded_batch_is_each_sequences_last_real_step():
    doc = _graph(TEMPLATES["gru_no_reset"].make(), output="last")
    model = compile_graph(doc, doc.data)
    x = torch.randn(2, 9, 3)
    lengths = torch.tensor([9, 4])
    padded = model.custom_cell_1(x, lengths)
    assert torch.allclose(padded[1], model.custom_cell_1(x[1:, :4])[0], atol=1e-6)
    assert torch.allclose(padded[0], model.custom_cell_1(x[:1])[0], atol=1e-6)


def test_the_cell_is_stored_in_the_project_as_plain_json():
    doc = _graph(lstm_1997())
    stored = json.loads(json.dumps(doc.to_dict()))
    (node,) = [n for n in stored["nodes"] if n["type"] == "CustomCell"]
    assert node["params"]["cell"]["format"] == "recurrent-studio-cell" and node["params"]["cell"]["version"] == 1


def test_exported_source_of_a_drawn_cell_loads_the_weights_and_computes_the_same(tmp_path):
    import importlib.util

    from engine.export import generate_source, save_source

    doc = _graph(TEMPLATES["peephole_lstm"].make(), output="last")
    torch.manual_seed(0)
    model = compile_graph(doc, doc.data).eval()
    text = generate_source(doc, doc.data)
    assert "class CustomCell1Cell(nn.Module):" in text and "class Scale(nn.Module):" in text
    assert "forget_gate = torch.sigmoid(forget_pre)  # (B, 6): gate 'forget'" in text
    assert "custom_cell_1 = self.custom_cell_1(sequence_input_1)[:, -1]  # (B, 6): the last step" in text
    path = save_source(text, tmp_path / "model.py")
    spec = importlib.util.spec_from_file_location("exported_cell_model", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    exported = module.RecurrentModel().eval()
    exported.load_state_dict(model.state_dict(), strict=True)
    x = torch.randn(3, 9, 3)
    with torch.no_grad():  # inference runs the exported step's arithmetic: equal bit for bit
        assert torch.equal(exported(x), model(x))
    assert torch.allclose(exported(x), model.train()(x), atol=1e-6)  # the training loop, to rounding


def _with_constant_and_split(cell):
    """The GRU without reset gate, its update gate halved by a constant and cut by a Split."""
    from engine.cells import edits

    cell, half = edits.add_node(cell, "constant", node_id="half")
    cell = edits.set_setting(cell, half, "value", 0.5)
    cell, wide = edits.add_node(cell, "concat", ["h", "h"], node_id="wide")
    cell, part = edits.add_node(cell, "split", [wide], node_id="part")
    cell, mixed = edits.add_node(cell, "multiply", [half, part], node_id="mixed")
    cell, squashed = edits.add_node(cell, "tanh", [mixed], node_id="squashed")
    writer = cell["outputs"]["h"]
    cell, total = edits.add_node(cell, "add", [writer, squashed], node_id="total")
    cell, bounded = edits.add_node(cell, "tanh", [total], node_id="bounded")
    return edits.set_output(cell, "h", bounded)


CELLS_FOR_ONNX = [*TEMPLATES, "constant_and_split"]  # the built-in ones export on the fused kernel


@pytest.mark.parametrize("output", ["last", "sequence"])
@pytest.mark.parametrize("name", CELLS_FOR_ONNX)
def test_onnx_writes_a_drawn_cells_loop_that_runs_any_length(tmp_path, name, output):
    pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    from engine.export import export_onnx

    cell = _with_constant_and_split(TEMPLATES["gru_no_reset"].make()) if name == "constant_and_split" else None
    doc = GraphDocument()
    doc.data = FakeSignature(features=3, length=9, n_outputs=1)
    block = ("CustomCell", {"hidden_size": 6, "output": output, "cell": cell or TEMPLATES[name].make()})
    make_chain(doc, "SequenceInput", block, *(["LastStep"] if output == "sequence" else []), "Regression")
    model = compile_graph(doc, doc.data).eval()
    path = export_onnx(model, doc.data, tmp_path / f"{name}.onnx")
    session = ort.InferenceSession(str(path))
    for steps in (3, 9, 30):  # the export's example had 9
        x = torch.randn(5, steps, 3)
        with torch.no_grad():
            expected = model(x).numpy()
        (got,) = session.run(None, {"x": x.numpy()})
        assert got.shape == expected.shape and abs(got - expected).max() < 1e-5, steps


def test_onnx_writes_a_builtin_template_as_onnxs_own_operator_and_a_drawn_cell_as_a_loop(tmp_path):
    pytest.importorskip("onnx")
    import onnx

    from engine.export import export_onnx

    builtin = _graph(TEMPLATES["gru"].make())
    export_onnx(compile_graph(builtin, builtin.data).eval(), builtin.data, tmp_path / "gru.onnx")
    operators = {node.op_type for node in onnx.load(tmp_path / "gru.onnx").graph.node}
    assert "GRU" in operators and "Loop" not in operators  # the fused kernel, as ONNX's GRU
    drawn = _graph(lstm_1997())
    export_onnx(compile_graph(drawn, drawn.data).eval(), drawn.data, tmp_path / "drawn.onnx")
    assert "Loop" in {node.op_type for node in onnx.load(tmp_path / "drawn.onnx").graph.node}


def test_onnx_writes_a_drawn_cell_after_a_fused_lstm_block_at_any_length(tmp_path):
    pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    from engine.export import export_onnx

    doc = GraphDocument()
    doc.data = FakeSignature(features=3, length=9, n_outputs=1)
    drawn = ("CustomCell", {"hidden_size": 5, "output": "last", "cell": TEMPLATES["peephole_lstm"].make()})
    make_chain(doc, "SequenceInput", ("LSTM", {"hidden_size": 4, "output": "sequence"}), drawn, "Regression")
    model = compile_graph(doc, doc.data).eval()
    session = ort.InferenceSession(str(export_onnx(model, doc.data, tmp_path / "stacked.onnx")))
    for steps in (3, 30):
        x = torch.randn(2, steps, 3)
        with torch.no_grad():
            expected = model(x).numpy()
        assert abs(session.run(None, {"x": x.numpy()})[0] - expected).max() < 1e-5
