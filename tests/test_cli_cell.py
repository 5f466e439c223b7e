"""`main.py cell`: the cell editor's actions on the command line, run on a copy of a project and
checked in the file they save; a refused edit leaves the file's bytes as they were."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from engine.cells import analyse, from_dict
from engine.cells.library import load_cell_file
from engine.cells.templates import TEMPLATES
from main import main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "projects" / "sine_lstm.rsproj"  # signal -> encoder (LSTM) -> forecast


def cell(path: Path, *args) -> int:
    return main(["cell", str(path), "encoder", *map(str, args)])


def saved(path: Path, block: str = "encoder") -> dict:
    return next(node for node in json.loads(path.read_text())["graph"]["nodes"] if node["id"] == block)


def saved_cell(path: Path) -> dict:
    return saved(path)["params"]["cell"]


def node(cell_dict: dict, node_id: str) -> dict:
    return next(n for n in cell_dict["nodes"] if n["id"] == node_id)


def error_line(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: "), err
    return err[0]


@pytest.fixture
def builtin(tmp_path) -> Path:
    path = tmp_path / "sine.rsproj"
    shutil.copy(EXAMPLE, path)
    return path


@pytest.fixture
def opened(builtin, capsys) -> Path:
    assert cell(builtin, "--open") == 0
    capsys.readouterr()
    return builtin


def test_open_turns_the_lstm_into_its_template_keeping_id_position_size_and_wires(builtin, capsys):
    before = json.loads(builtin.read_text())
    assert cell(builtin, "--open") == 0
    assert "now a Custom cell drawn from the LSTM template" in capsys.readouterr().out
    after = json.loads(builtin.read_text())
    block = saved(builtin)
    assert block["type"] == "CustomCell"
    assert block["params"]["hidden_size"] == 32 and block["params"]["output"] == "last"
    assert from_dict(block["params"]["cell"]).structure() == TEMPLATES["lstm"].document().structure()
    assert after["graph"]["edges"] == before["graph"]["edges"]
    assert after["layout"] == before["layout"]
    assert [n["id"] for n in after["graph"]["nodes"]] == [n["id"] for n in before["graph"]["nodes"]]


def test_open_refuses_a_stacked_lstm_and_leaves_the_file(builtin, capsys):
    project = json.loads(builtin.read_text())
    saved_node = next(n for n in project["graph"]["nodes"] if n["id"] == "encoder")
    saved_node["params"]["layers"] = 2
    builtin.write_text(json.dumps(project))
    bytes_before = builtin.read_bytes()
    assert cell(builtin, "--open") == 2
    assert "stacked or bidirectional" in error_line(capsys)
    assert builtin.read_bytes() == bytes_before


def test_a_block_without_a_drawn_cell_says_what_to_do(builtin, capsys):
    assert cell(builtin) == 2
    assert "--open" in error_line(capsys)
    assert main(["cell", str(builtin), "forecast"]) == 2
    assert "has no cell" in error_line(capsys)


def test_the_listing_shows_states_nodes_and_writers_and_exits_0_when_clean(opened, capsys):
    assert cell(opened) == 0
    out = capsys.readouterr().out
    assert "h (emitted)  h_new" in out and "c            c_new" in out
    assert "forget_gate    Sigmoid    forget_lin" in out and "forget\n" in out
    assert "units=1, bias=true" in out and "no problems" in out


def test_a_state_never_written_is_listed_with_numbered_fixes_and_fix_n_mends_it(opened, capsys):
    assert cell(opened, "--disconnect", "c_new", "new:c") == 0
    assert "problems left: 1 error" in capsys.readouterr().out
    assert cell(opened) == 1  # errors: exit 1, as validate
    lines = capsys.readouterr().out.splitlines()
    at = lines.index("error: state 'c' is never written: connect a node to its new value c_t")
    number, title = lines[at + 1].removeprefix("  fix ").split(": ", 1)
    assert title.startswith("Write the new c from")
    assert cell(opened, "--fix", number) == 0
    assert f"applied fix {number}: {title}" in capsys.readouterr().out
    fixed = saved_cell(opened)
    assert "c" in fixed["outputs"]
    assert not [d for d in analyse(from_dict(fixed)).diagnostics if d.code == "unwritten"]


def test_connect_into_a_numbered_slot_and_into_a_state(opened, capsys):
    assert cell(opened, "--connect", "forget_gate", "written:2") == 0  # replaces 'candidate'
    assert node(saved_cell(opened), "written")["inputs"] == ["input_gate", "forget_gate"]
    assert cell(opened, "--connect", "kept", "new:c") == 0
    assert saved_cell(opened)["outputs"]["c"] == "kept"
    assert "connected kept → new c" in capsys.readouterr().out


def test_a_refused_wire_leaves_the_file_and_offers_fixes_that_apply(opened, capsys):
    bytes_before = opened.read_bytes()
    assert cell(opened, "--connect", "x", "kept") == 2
    captured = capsys.readouterr()
    assert "inputs differ in size" in captured.err
    assert "fix 1: Insert a Linear (H) between 'x' and 'kept'" in captured.out and "--fix-wire N" in captured.out
    assert opened.read_bytes() == bytes_before
    assert cell(opened, "--connect", "x", "kept", "--fix-wire", "1") == 0
    kept = node(saved_cell(opened), "kept")
    assert kept["inputs"][:2] == ["forget_gate", "c"] and node(saved_cell(opened), kept["inputs"][2])["op"] == "linear"
    assert "no problems left" in capsys.readouterr().out


def test_add_remove_gate_set_and_add_state(opened, capsys):
    assert cell(opened, "--add", "linear", "--inputs", "x,h", "--id", "extra") == 0
    assert node(saved_cell(opened), "extra")["inputs"] == ["x", "h"]
    assert "added Linear 'extra' reading x, h; problems left: 1 warning" in capsys.readouterr().out
    assert cell(opened, "--remove", "extra") == 0
    assert "extra" not in [n["id"] for n in saved_cell(opened)["nodes"]]
    assert cell(opened, "--gate", "input_gate", "") == 0
    assert "gate" not in node(saved_cell(opened), "input_gate")
    assert cell(opened, "--gate", "input_gate", "write") == 0
    assert node(saved_cell(opened), "input_gate")["gate"] == "write"
    assert cell(opened, "--set", "input_lin", "bias", "false") == 0
    assert node(saved_cell(opened), "input_lin")["settings"]["bias"] is False
    assert cell(opened, "--add-state", "m") == 0
    assert saved_cell(opened)["states"] == ["h", "c", "m"]
    assert cell(opened, "--remove-state", "m") == 0
    assert cell(opened, "--rename", "c", "cell_state") == 0
    assert saved_cell(opened)["states"] == ["h", "cell_state"]
    assert node(saved_cell(opened), "kept")["inputs"] == ["forget_gate", "cell_state"]


@pytest.mark.parametrize(
    "args, words",
    [
        (("--set", "input_lin", "units", "0"), "must be at least 1"),
        (("--add", "softmax"), "unknown primitive 'softmax'"),
        (("--add", "add", "--inputs", "x,h"), "inputs differ in size"),
        (("--remove", "nothing"), "no node 'nothing'"),
        (("--disconnect", "x", "kept"), "'kept' does not read 'x'"),
        (("--add-state", "h"), "taken"),
        (("--rename", "kept", "h"), "is taken"),
        (("--remove-state", "nothing"), "'nothing' is not a state"),
        (("--fix", "1"), "no fixes to offer"),
        (("--fix", "0"), "no fixes to offer"),
        (("--template", "nope"), "one of lstm, gru"),
        (("--inputs", "x"), "--inputs goes with --add"),
    ],
)
def test_a_refused_edit_is_one_error_line_and_leaves_the_bytes(opened, capsys, args, words):
    bytes_before = opened.read_bytes()
    assert cell(opened, *args) == 2
    assert words in error_line(capsys)
    assert opened.read_bytes() == bytes_before


def test_template_replaces_the_cell_and_save_to_library_writes_a_cell_file(opened, tmp_path, capsys):
    assert cell(opened, "--template", "gru") == 0
    assert from_dict(saved_cell(opened)).structure() == TEMPLATES["gru"].document().structure()
    assert cell(opened, "--save-to-library", tmp_path / "library") == 0
    written = Path(capsys.readouterr().out.strip().splitlines()[-1].removeprefix("wrote "))
    assert load_cell_file(written).structure() == TEMPLATES["gru"].document().structure()


def test_the_command_runs_from_the_shell(opened):
    result = subprocess.run(
        [sys.executable, "main.py", "cell", str(opened), "encoder", "--remove", "forget_gate"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "removed Sigmoid 'forget_gate'; problems left: 1 error, 1 warning" in result.stdout


def test_a_cell_that_cannot_be_read_is_refused_in_words_and_a_template_replaces_it(opened, capsys):
    project = json.loads(opened.read_text())
    next(n for n in project["graph"]["nodes"] if n["id"] == "encoder")["params"]["cell"]["nodes"][0]["op"] = "magic"
    opened.write_text(json.dumps(project))
    assert cell(opened, "--remove", "input_gate") == 2
    assert "cannot be read" in error_line(capsys)
    assert cell(opened, "--template", "rnn") == 0
    assert from_dict(saved_cell(opened)).structure() == TEMPLATES["rnn"].document().structure()


def test_source_prints_the_cell_as_a_module_whose_weights_load_into_the_compiled_cell(opened, capsys, tmp_path):
    import importlib.util

    import torch

    from engine.compiler import compile_graph
    from engine.project import load_project

    before = opened.read_bytes()
    assert cell(opened, "--source") == 0
    source = capsys.readouterr().out
    assert opened.read_bytes() == before  # printing changes nothing
    (tmp_path / "drawn.py").write_text("import torch\nfrom torch import nn\n\n" + source)
    spec = importlib.util.spec_from_file_location("drawn", tmp_path / "drawn.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    (cls,) = [v for v in vars(module).values() if isinstance(v, type) and v.__module__ == "drawn"]
    project = load_project(opened)
    compiled = compile_graph(project.graph, project.signature()).get_submodule("encoder")
    cls().load_state_dict(compiled.state_dict(), strict=True)  # the same parameters, by name and shape
    assert "def step(self" in source and isinstance(cls(), torch.nn.Module)
