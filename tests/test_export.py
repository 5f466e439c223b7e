"""Export: generated source is valid, loads the compiled model's weights and reproduces it;
weights and ONNX files are written atomically; a missing onnx package is reported."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import py_compile
import re
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from conftest import FakeSignature, make_chain
from safetensors.torch import load_file

from engine.compiler import compile_graph
from engine.export import MISSING_ONNX, ExportError, export_onnx, export_weights, generate_source, save_source
from engine.export.files import replacing
from engine.graph import GraphDocument
from engine.project import load_project
from engine.runs import load_run
from engine.training import train

ROOT = Path(__file__).resolve().parents[1]
PROJECTS = sorted((ROOT / "projects").glob("*.rsproj"))
onnx_export = importlib.import_module("engine.export.onnx")


# -- graphs ------------------------------------------------------------------------------
def bidirectional_lstm():
    data = FakeSignature(features=3, length=12, n_outputs=2)
    doc = GraphDocument()
    make_chain(
        doc,
        "SequenceInput",
        ("LSTM", {"hidden_size": 8, "layers": 2, "bidirectional": True, "dropout": 0.1, "output": "last"}),
        ("Regression", {"loss": "l1"}),
    )
    return doc, data


def gru_classifier():
    data = FakeSignature(features=4, length=10, target_kind="classification", n_outputs=5)
    doc = GraphDocument()
    make_chain(
        doc,
        "SequenceInput",
        ("GRU", {"hidden_size": 6}),
        ("Linear", {"features": 7}),
        ("Activation", {"function": "GELU"}),
        "MeanOverTime",
        "Classification",
    )
    return doc, data


def token_rnn():
    data = FakeSignature(
        input_kind="tokens", features=None, vocab_size=11, length=9, target_kind="tokens", n_outputs=11
    )
    doc = GraphDocument()
    make_chain(
        doc,
        "TokenInput",
        ("Embedding", {"dim": 5}),
        ("RNN", {"hidden_size": 6, "nonlinearity": "relu", "layers": 2}),
        "TokenPrediction",
    )
    return doc, data


def residual_branches():
    """x -> proj -> lstm; add(proj, lstm) -> norm -> drop; concat(drop, proj) -> last -> head,
    plus a GRU that leads nowhere and must be left out."""
    data = FakeSignature(features=3, length=8, n_outputs=1)
    doc = GraphDocument()
    for type_name, params, node_id in [
        ("SequenceInput", {}, "x"),
        ("Linear", {"features": 6, "bias": False}, "proj"),
        ("LSTM", {"hidden_size": 6}, "lstm"),
        ("Add", {}, "res"),
        ("LayerNorm", {}, "norm"),
        ("Dropout", {"rate": 0.3}, "drop"),
        ("Concat", {}, "both"),
        ("LastStep", {}, "last"),
        ("Regression", {}, "head"),
        ("GRU", {}, "unused"),
    ]:
        doc.add_node(type_name, params, node_id=node_id)
    for source, target, port in [
        ("x", "proj", "in"),
        ("proj", "lstm", "in"),
        ("proj", "res", "a"),
        ("lstm", "res", "b"),
        ("res", "norm", "in"),
        ("norm", "drop", "in"),
        ("drop", "both", "a"),
        ("proj", "both", "b"),
        ("both", "last", "in"),
        ("last", "head", "in"),
        ("x", "unused", "in"),
    ]:
        doc.connect(source, "out", target, port)
    return doc, data


def shadowing_names():
    """Blocks named like what the generated code uses itself: torch, nn, h_n."""
    data = FakeSignature(features=2, length=6, n_outputs=1)
    doc = GraphDocument()
    for type_name, params, node_id in [
        ("SequenceInput", {}, "nn"),
        ("GRU", {"output": "last"}, "h_n"),
        ("Regression", {}, "torch"),
    ]:
        doc.add_node(type_name, params, node_id=node_id)
    doc.connect("nn", "out", "h_n", "in")
    doc.connect("h_n", "out", "torch", "in")
    return doc, data


def two_inputs():
    """Two input blocks: both receive the same data, as in the compiled model."""
    data = FakeSignature(features=2, length=5, n_outputs=1)
    doc = GraphDocument()
    for type_name, params, node_id in [
        ("SequenceInput", {}, "a"),
        ("SequenceInput", {}, "b"),
        ("Concat", {}, "ab"),
        ("MeanOverTime", {}, "pool"),
        ("Regression", {}, "head"),
    ]:
        doc.add_node(type_name, params, node_id=node_id)
    for source, target, port in [("a", "ab", "a"), ("b", "ab", "b"), ("ab", "pool", "in"), ("pool", "head", "in")]:
        doc.connect(source, "out", target, port)
    return doc, data


GRAPHS = [bidirectional_lstm, gru_classifier, token_rnn, residual_branches, shadowing_names, two_inputs]


# -- helpers -----------------------------------------------------------------------------
def import_generated(source: str, folder: Path, name: str = "generated_model"):
    path = save_source(source, folder / f"{name}.py")
    py_compile.compile(str(path), doraise=True)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def example_batch(data, batch: int = 4):
    generator = torch.Generator().manual_seed(1)
    if data.input_kind == "tokens":
        x = torch.randint(0, data.vocab_size, (batch, data.length), generator=generator)
    else:
        x = torch.randn(batch, data.length, data.features, generator=generator)
    if data.target_kind == "regression":
        return x, torch.randn(batch, data.n_outputs, generator=generator)
    shape = (batch, data.length) if data.target_kind == "tokens" else (batch,)
    return x, torch.randint(0, data.n_outputs, shape, generator=generator)


def assert_reproduces(compiled, generated, data) -> None:
    compiled.eval(), generated.eval()
    x, target = example_batch(data)
    with torch.no_grad():
        expected, actual = compiled(x), generated(x)
    assert torch.equal(actual, expected)
    assert torch.equal(generated.loss(actual, target), compiled.loss(expected, target))


# -- generated source --------------------------------------------------------------------
@pytest.mark.parametrize("make_graph", GRAPHS, ids=lambda f: f.__name__)
def test_generated_source_loads_compiled_weights_strictly_and_reproduces_outputs(make_graph, tmp_path):
    doc, data = make_graph()
    torch.manual_seed(0)
    compiled = compile_graph(doc, data)
    generated = import_generated(generate_source(doc, data), tmp_path).RecurrentModel()
    generated.load_state_dict(compiled.state_dict(), strict=True)
    assert_reproduces(compiled, generated, data)


@pytest.mark.parametrize("path", PROJECTS, ids=lambda p: p.stem)
def test_every_example_project_exports_to_equivalent_source(path, tmp_path):
    project = load_project(path)
    data = project.signature()
    compiled = compile_graph(project.graph, data)
    module = import_generated(generate_source(project, data, class_name="Exported"), tmp_path)
    generated = module.Exported()
    generated.load_state_dict(compiled.state_dict(), strict=True)
    assert_reproduces(compiled, generated, data)
    assert module.__doc__.startswith(f"Exported: generated by Recurrent Studio from the project '{project.name}'")


def test_trained_run_weights_load_into_generated_source_and_reproduce_the_model(tmp_path):
    result = train(
        load_project(ROOT / "projects" / "adding_gru.rsproj"), steps=3, runs_dir=tmp_path, overrides={"probe_every": 0}
    )
    run = load_run(result.run_dir)
    data = run.project.signature()
    compiled = compile_graph(run.project.graph, data)
    compiled.load_state_dict(run.weights())
    generated = import_generated(generate_source(run.project, data), tmp_path).RecurrentModel()
    generated.load_state_dict(load_file(str(result.run_dir / "weights.safetensors")), strict=True)
    assert_reproduces(compiled, generated, data)


@pytest.mark.parametrize("make_graph", GRAPHS, ids=lambda f: f.__name__)
def test_generated_source_imports_only_torch_and_uses_every_import(make_graph):
    source = generate_source(*make_graph())
    tree = ast.parse(source)
    imports = [node for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))]
    modules = {
        node.module if isinstance(node, ast.ImportFrom) else alias.name for node in imports for alias in node.names
    }
    bound = {alias.asname or alias.name for node in imports for alias in node.names}
    used = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    assert modules == {"torch"}
    assert bound <= used
    assert sum(isinstance(node, ast.ClassDef) for node in tree.body) == 1


def test_forward_is_written_step_by_step_with_shapes_and_plain_modules():
    source = generate_source(*bidirectional_lstm())
    assert "self.lstm_1 = nn.LSTM(input_size=3, hidden_size=8, num_layers=2, batch_first=True," in source
    assert "_, (h_n, _) = self.lstm_1(sequence_input_1)  # h_n: (4, B, 8)" in source
    assert "lstm_1 = torch.cat([h_n[-2], h_n[-1]], dim=-1)  # (B, 16)" in source
    assert "return nn.functional.l1_loss(prediction, target)" in source
    residual = generate_source(*residual_branches())
    assert "res = proj + lstm  # (B, T, 6)" in residual
    assert "both = torch.cat([drop, proj], dim=-1)  # (B, T, 12)" in residual
    assert "self.unused" not in residual and "left out: unused" in residual
    assert "self.x" not in residual and "def forward(self, x: torch.Tensor)" in residual


def test_names_that_would_hide_torch_are_renamed_locally_but_not_as_submodules():
    source = generate_source(*shadowing_names())
    assert "self.torch = nn.Linear(" in source and "torch_ = self.torch(h_n_)" in source
    assert "def forward(self, nn_: torch.Tensor)" in source


def test_the_same_graph_gives_the_same_text():
    assert generate_source(*residual_branches()) == generate_source(*residual_branches())


def test_generating_source_needs_no_torch():
    code = (
        "import sys, engine.export\n"
        "from engine.project import load_project\n"
        "p = load_project('projects/char_lm_gru.rsproj')\n"
        "engine.export.generate_source(p, p.signature())\n"
        "sys.exit(1 if 'torch' in sys.modules else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, "torch was imported: " + result.stderr


def test_a_graph_with_errors_or_a_bad_class_name_is_refused():
    doc, data = bidirectional_lstm()
    with pytest.raises(ExportError, match="not a valid Python class name"):
        generate_source(doc, data, class_name="class")
    doc.add_node("Regression", node_id="second_head")
    with pytest.raises(ExportError, match="cannot be exported until these problems are fixed"):
        generate_source(doc, data)


def test_project_names_cannot_break_out_of_the_docstring(tmp_path):
    project = load_project(ROOT / "projects" / "adding_gru.rsproj")
    project.name = 'evil """ \\ name\nimport os'
    module = import_generated(generate_source(project, project.signature()), tmp_path)
    assert 'evil """ \\ name\nimport os' in module.__doc__
    assert not hasattr(module, "os")


# -- files -------------------------------------------------------------------------------
def test_weights_export_as_safetensors_with_the_same_keys(tmp_path):
    doc, data = residual_branches()
    state = compile_graph(doc, data).state_dict()
    state["proj.weight"] = state["proj.weight"].t().t()  # any tensor layout is accepted
    path = export_weights(state, tmp_path / "out" / "weights.safetensors")
    loaded = load_file(str(path))
    assert loaded.keys() == state.keys()
    assert all(torch.equal(loaded[k], state[k]) for k in state)
    assert [p.name for p in path.parent.iterdir()] == ["weights.safetensors"]


def test_a_failed_write_leaves_the_previous_file_and_no_temporary(tmp_path):
    path = tmp_path / "model.py"
    path.write_text("old")
    with pytest.raises(RuntimeError), replacing(path) as temporary:
        temporary.write_text("half")
        raise RuntimeError("disk full")
    assert path.read_text() == "old" and list(tmp_path.iterdir()) == [path]


# -- ONNX --------------------------------------------------------------------------------
def test_onnx_export_without_the_onnx_package_says_how_to_install_it(monkeypatch, tmp_path):
    monkeypatch.setattr(onnx_export, "onnx_available", lambda: False)
    doc, data = bidirectional_lstm()
    with pytest.raises(ExportError, match=re.escape("ONNX export needs the onnx package: pip install onnx")):
        export_onnx(compile_graph(doc, data), data, tmp_path / "model.onnx")
    assert MISSING_ONNX == "ONNX export needs the onnx package: pip install onnx"
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize("make_graph", [bidirectional_lstm, token_rnn], ids=lambda f: f.__name__)
def test_onnx_export_writes_a_valid_model_when_onnx_is_installed(make_graph, tmp_path):
    onnx = pytest.importorskip("onnx")
    doc, data = make_graph()
    path = export_onnx(compile_graph(doc, data), data, tmp_path / "model.onnx")
    model = onnx.load(str(path))
    onnx.checker.check_model(model)
    assert [i.name for i in model.graph.input] == ["x"] and [o.name for o in model.graph.output] == ["prediction"]
    assert [p.name for p in tmp_path.iterdir()] == ["model.onnx"]


def min_cells():
    """minGRU (two layers, bidirectional) then minLSTM: their inference scan is a step loop."""
    data = FakeSignature(features=3, length=12, n_outputs=2)
    doc = GraphDocument()
    make_chain(
        doc,
        "SequenceInput",
        ("minGRU", {"hidden_size": 6, "layers": 2, "bidirectional": True}),
        ("minLSTM", {"hidden_size": 5, "output": "last"}),
        "Regression",
    )
    return doc, data


@pytest.mark.parametrize(
    "make_graph", [bidirectional_lstm, token_rnn, residual_branches, min_cells], ids=lambda f: f.__name__
)
def test_onnx_model_computes_what_the_compiled_model_does_for_any_batch_and_length(make_graph, tmp_path):
    pytest.importorskip("onnx")
    runtime = pytest.importorskip("onnxruntime")
    doc, data = make_graph()
    compiled = compile_graph(doc, data).eval()
    session = runtime.InferenceSession(str(export_onnx(compiled, data, tmp_path / "model.onnx")))
    for length in (data.length + 3, 4):  # neither is the length the export traced
        x, _ = example_batch(FakeSignature(**{**data.__dict__, "length": length}), batch=3)
        (actual,) = session.run(None, {"x": x.numpy()})
        with torch.no_grad():
            torch.testing.assert_close(torch.from_numpy(actual), compiled(x), rtol=1e-4, atol=1e-5)


# -- variable lengths --------------------------------------------------------------------
def _drawn():
    from engine.cells.templates import TEMPLATES

    return TEMPLATES["peephole_lstm"].make()


def variable_length(*blocks):
    """A classifier over padded sequences (T = 9 the longest): input -> blocks -> head."""
    data = FakeSignature(features=3, length=9, target_kind="classification", n_outputs=4)
    doc = GraphDocument()
    make_chain(doc, "SequenceInput", *blocks, "Classification")
    return doc, data


VARIABLE = {
    "gru_laststep": lambda: variable_length(("GRU", {"hidden_size": 5, "layers": 2}), "LastStep"),
    "gru_final_state": lambda: variable_length(("GRU", {"hidden_size": 5, "output": "last"})),
    "lstm_mean": lambda: variable_length(("LSTM", {"hidden_size": 5}), ("Linear", {"features": 6}), "MeanOverTime"),
    "bidirectional_lstm_mean": lambda: variable_length(
        ("LSTM", {"hidden_size": 5, "bidirectional": True}), "MeanOverTime"
    ),
    "bidirectional_gru_final_state": lambda: variable_length(
        ("GRU", {"hidden_size": 5, "bidirectional": True, "output": "last"})
    ),
    "mingru_mean": lambda: variable_length(("minGRU", {"hidden_size": 5}), "MeanOverTime"),
    "drawn_final_state": lambda: variable_length(
        ("CustomCell", {"hidden_size": 5, "output": "last", "cell": _drawn()})
    ),
    "drawn_mean_after_lstm": lambda: variable_length(
        ("LSTM", {"hidden_size": 4}), ("CustomCell", {"hidden_size": 5, "cell": _drawn()}), "MeanOverTime"
    ),
}


def mixed_batch(steps: int = 9, lengths=(9, 3, 6, 1)):
    """(x with large values at padding, lengths): results that read padding would differ."""
    lengths = torch.tensor(lengths)
    x = torch.randn(len(lengths), steps, 3, generator=torch.Generator().manual_seed(2))
    x[torch.arange(steps)[None, :] >= lengths[:, None]] = 5.0
    return x, lengths


@pytest.mark.parametrize("name", VARIABLE)
def test_variable_length_source_masks_padding_as_the_compiled_model_does(name, tmp_path):
    doc, data = VARIABLE[name]()
    torch.manual_seed(0)
    compiled = compile_graph(doc, data).eval()
    source = generate_source(doc, data, variable_lengths=True)
    assert "def forward(self, sequence_input_1: torch.Tensor, lengths: torch.Tensor | None = None)" in source
    generated = import_generated(source, tmp_path).RecurrentModel().eval()
    generated.load_state_dict(compiled.state_dict(), strict=True)
    x, lengths = mixed_batch()
    with torch.no_grad():
        expected = compiled(x, lengths=lengths)
        assert not torch.allclose(expected, compiled(x))  # the lengths matter for this batch
        torch.testing.assert_close(generated(x, lengths), expected, rtol=0, atol=1e-5)
        torch.testing.assert_close(generated(x), compiled(x), rtol=0, atol=1e-5)  # lengths=None: all steps real


def test_fixed_length_source_takes_no_lengths():
    source = generate_source(*VARIABLE["gru_laststep"]())
    assert "lengths" not in source and "gru_1, _ = self.gru_1(sequence_input_1)  # (B, T, 5)" in source
    assert "last_step_1 = gru_1[:, -1]  # (B, 5): the last step" in source


@pytest.mark.parametrize(
    "name", ["gru_laststep", "lstm_mean", "bidirectional_lstm_mean", "drawn_final_state", "drawn_mean_after_lstm"]
)
def test_variable_length_onnx_takes_lengths_and_computes_what_the_compiled_model_does(name, tmp_path):
    pytest.importorskip("onnx")
    runtime = pytest.importorskip("onnxruntime")
    doc, data = VARIABLE[name]()
    compiled = compile_graph(doc, data).eval()
    session = runtime.InferenceSession(str(export_onnx(compiled, data, tmp_path / "m.onnx", variable_lengths=True)))
    assert [i.name for i in session.get_inputs()] == ["x", "lengths"]
    for x, lengths in (mixed_batch(), mixed_batch(steps=5, lengths=(2, 5))):
        (actual,) = session.run(None, {"x": x.numpy(), "lengths": lengths.numpy()})
        with torch.no_grad():
            torch.testing.assert_close(torch.from_numpy(actual), compiled(x, lengths=lengths), rtol=0, atol=1e-5)


def test_variable_length_onnx_refuses_a_packed_final_state_naming_the_block(tmp_path):
    pytest.importorskip("onnx")
    doc, data = VARIABLE["bidirectional_gru_final_state"]()
    with pytest.raises(ExportError, match="cannot export block 'gru_1': a bidirectional GRU whose output"):
        export_onnx(compile_graph(doc, data), data, tmp_path / "m.onnx", variable_lengths=True)
    assert not any(tmp_path.iterdir())


def test_a_variable_length_project_exports_with_lengths_by_default():
    # The data signature says the sequences vary, so source and ONNX take lengths unasked.
    project = load_project(ROOT / "projects" / "japanese_vowels_gru.rsproj")
    signature = project.signature()
    assert signature.variable_length
    assert "lengths: torch.Tensor | None = None" in generate_source(project, signature)
    fixed = load_project(ROOT / "projects" / "sine_lstm.rsproj")
    forward = next(line for line in generate_source(fixed, fixed.signature()).splitlines() if "def forward" in line)
    assert "lengths" not in forward
