"""The command line over the crafted files in tests/hostile/ (one per class of attack in issue 10)
and over paths that are not files: each gives one line and a non-zero exit, or works."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from engine.cli import EXIT_ERROR, EXIT_INVALID, EXIT_OK, summary_command, train_command, validate_command

CORPUS = Path(__file__).parent / "hostile"
ROOT = Path(__file__).parents[1]
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="FIFOs and /dev/zero are POSIX")

# file -> (exit code of validate, words its message must hold)
EXPECTED = {
    "nan_learning_rate.rsproj": (EXIT_ERROR, ["line 84", "NaN"]),
    "infinity_steps.rsproj": (EXIT_ERROR, ["Infinity"]),
    "overflow_batch_size.rsproj": (EXIT_ERROR, ["1e400", "too large"]),
    "int_309_digits_seed.rsproj": (EXIT_ERROR, ["309 digits"]),
    "int_5000_digits_hidden.rsproj": (EXIT_ERROR, ["5000 digits"]),
    "nested_1000_levels.rsproj": (EXIT_ERROR, ["levels deep", "line 11"]),
    "nan_string_grad_clip.rsproj": (EXIT_ERROR, ["training.grad_clip", "'NaN'"]),
    "huge_layout_position.rsproj": (EXIT_ERROR, ["layout.positions.chars", "finite"]),
    "terminal_escape_task.rsproj": (EXIT_ERROR, ["data.task", "\\x1b", "30000 characters"]),
    "not_utf8.rsproj": (EXIT_ERROR, ["not UTF-8"]),
    "top_level_list.rsproj": (EXIT_ERROR, ["JSON object"]),
    "truncated.rsproj": (EXIT_ERROR, ["not valid JSON"]),
    "data_path_dev_zero.rsproj": (EXIT_INVALID, ["/dev/zero", "device"]),
    "data_path_folder.rsproj": (EXIT_INVALID, ["folder"]),
    "huge_model.rsproj": (EXIT_INVALID, ["needs about", "lower the hidden size"]),
    "long_project_name.rsproj": (EXIT_OK, ["valid"]),
}


def test_every_crafted_file_has_an_expectation():
    assert sorted(p.name for p in CORPUS.glob("*.rsproj")) == sorted(EXPECTED)


def assert_one_line_each(text: str) -> None:
    for line in text.splitlines():
        assert len(line) < 1200 and "\x1b" not in line and "Traceback" not in line


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_validate_and_summary_answer_each_crafted_file(name, capsys, monkeypatch):
    if name == "huge_model.rsproj":  # the refusal must not depend on this machine's memory
        monkeypatch.setattr("engine.resource_estimate.available_memory", lambda: 16 * 1024**3)
    code, words = EXPECTED[name]
    assert validate_command(CORPUS / name) == code
    out, err = capsys.readouterr()
    for word in words:
        assert word in out + err
    assert_one_line_each(out + err)
    assert (summary_command(CORPUS / name) == EXIT_OK) == (code == EXIT_OK)
    out, err = capsys.readouterr()
    assert_one_line_each(out + err)
    if code == EXIT_ERROR:
        assert err.count("\n") == 1 and out == ""


def test_a_project_named_with_240_plus_bytes_trains(tmp_path, capsys):
    project = tmp_path / "long.rsproj"
    shutil.copy(CORPUS / "long_project_name.rsproj", project)
    assert len(json.loads(project.read_text())["name"].encode()) > 240
    assert train_command(project, steps=1, probe_every=0, runs_dir=tmp_path / "runs") == EXIT_OK
    [run] = (tmp_path / "runs").iterdir()
    assert (run / "summary.json").exists() and len(run.name.encode()) < 120


def test_an_oversized_project_file_is_refused_unread(tmp_path, capsys):
    path = tmp_path / "big.rsproj"
    with open(path, "wb") as stream:
        stream.truncate(3 * 1024**3)  # sparse: 3 GB that cost no disk
    assert validate_command(path) == EXIT_ERROR
    assert "3.2 GB; the limit is 8.4 MB" in capsys.readouterr().err


def test_an_oversized_text_file_is_refused_from_its_size(tmp_path, capsys):
    data = tmp_path / "corpus.txt"
    with open(data, "wb") as stream:
        stream.truncate(2 * 1024**3)
    project = json.loads((CORPUS / "long_project_name.rsproj").read_text())
    project["data"] = {"task": "text", "params": {"path": "corpus.txt"}}
    (tmp_path / "p.rsproj").write_text(json.dumps(project))
    assert validate_command(tmp_path / "p.rsproj") == EXIT_INVALID
    out, err = capsys.readouterr()
    assert "2.1 GB; at most 33.6 MB is read" in out and f"reading data from {data}" in err


@posix_only
@pytest.mark.parametrize(
    "path, words", [("/dev/zero", "device"), ("/dev/stdin", "not a regular file"), (".", "folder")]
)
def test_a_project_path_that_is_not_a_file_is_one_line(path, words, capsys):
    assert validate_command(Path(path)) == EXIT_ERROR
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1


@posix_only
@pytest.mark.parametrize("target", ["project", "data"])
def test_a_fifo_answers_at_once(tmp_path, target):
    project = tmp_path / "p.rsproj"
    if target == "project":
        os.mkfifo(project)
    else:
        os.mkfifo(tmp_path / "data.txt")
        content = json.loads((CORPUS / "long_project_name.rsproj").read_text())
        content["data"] = {"task": "text", "params": {"path": "data.txt"}}
        project.write_text(json.dumps(content))
    # A subprocess with a timeout: a reader that blocked on the FIFO would hang the suite.
    done = subprocess.run(
        [sys.executable, "main.py", "validate", str(project)], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode in (EXIT_INVALID, EXIT_ERROR)
    assert "pipe (FIFO)" in done.stdout + done.stderr and "Traceback" not in done.stderr
