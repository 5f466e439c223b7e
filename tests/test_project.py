"""Project files: round trip, precise load errors, newer versions refused, atomic saves."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from engine.project import FORMAT_VERSION, Project, ProjectFileError, load_project, project_from_dict, save_project

EXAMPLE = Path(__file__).resolve().parents[1] / "projects" / "adding_lstm.rsproj"


def example_dict():
    return json.loads(EXAMPLE.read_text())


def test_round_trip_keeps_graph_positions_and_settings(tmp_path):
    project = load_project(EXAMPLE)
    project.graph.move_node("memory", (12.5, -3.0))
    project.training["learning_rate"] = 0.01
    path = save_project(project, tmp_path / "copy.rsproj")
    again = load_project(path)
    assert again.to_dict() == project.to_dict()
    assert again.graph.node("memory").position == (12.5, -3.0)


@pytest.mark.parametrize(
    "mutate,field,words",
    [
        (lambda d: d.update(format="something-else"), "format", "not a Recurrent Studio project"),
        (lambda d: d.update(version="one"), "version", "whole number"),
        (lambda d: d["graph"]["nodes"][1].update(type="Transformer"), "graph", "unknown block type 'Transformer'"),
        (lambda d: d["graph"]["nodes"][1]["params"].update(hidden_size=-4), "graph", "at least 1"),
        (lambda d: d["graph"]["nodes"][1].pop("id"), "graph.nodes[1]", '"id" and "type"'),
        (lambda d: d["graph"]["edges"][0].update(target="ghost"), "graph", "no block named 'ghost'"),
        (lambda d: d["graph"]["edges"][0].update(source_port="sideways"), "graph", "has no output 'sideways'"),
        (lambda d: d["training"].update(batch_size=0), "training.batch_size", "at least 1"),
        (lambda d: d["training"].update(speed=3), "training.speed", "unknown training setting"),
        (lambda d: d["data"].update(task="weather"), "data.task", "unknown task 'weather'"),
        (lambda d: d["layout"]["positions"].update(memory="left"), "layout.positions.memory", "[x, y]"),
    ],
)
def test_bad_fields_are_reported_with_file_field_and_expectation(mutate, field, words):
    content = example_dict()
    mutate(content)
    with pytest.raises(ProjectFileError) as caught:
        project_from_dict(content, "bad.rsproj")
    assert caught.value.field == field
    assert str(caught.value).startswith("bad.rsproj")
    assert words in str(caught.value)


def test_a_newer_format_is_refused_with_advice():
    content = example_dict()
    content["version"] = FORMAT_VERSION + 1
    with pytest.raises(ProjectFileError, match="newer Recurrent Studio.*Update"):
        project_from_dict(content, "new.rsproj")


@pytest.mark.parametrize(
    "raw,words",
    [(b"{not json", r"not valid JSON \(line 1"), (b"\xff\xfe\x00", "not UTF-8"), (b"[1, 2]", "JSON object")],
)
def test_unreadable_files_are_reported(tmp_path, raw, words):
    path = tmp_path / "broken.rsproj"
    path.write_bytes(raw)
    with pytest.raises(ProjectFileError, match=words):
        load_project(path)
    with pytest.raises(ProjectFileError, match="does not exist"):
        load_project(tmp_path / "missing.rsproj")


def test_an_interrupted_save_leaves_the_old_file_intact(tmp_path, monkeypatch):
    path = save_project(load_project(EXAMPLE), tmp_path / "p.rsproj")
    before = path.read_bytes()
    project = load_project(path)
    project.name = "changed"

    def crash(*args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        save_project(project, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["p.rsproj"]  # no temporary file left behind


def test_loading_never_runs_code_and_uses_no_pickle():
    root = Path(__file__).resolve().parents[1]
    sources = [p.read_text() for folder in ("engine", "gui") for p in (root / folder).rglob("*.py")]
    for forbidden in (r"import pickle", r"pickle\.load", r"torch\.load\(", r"(?<![.\w])eval\(", r"(?<![.\w])exec\("):
        assert not any(re.search(forbidden, text) for text in sources), forbidden


def test_unknown_data_file_keeps_the_project_loadable_and_explains(tmp_path):
    content = example_dict()
    content["data"] = {"task": "csv", "params": {"path": "nowhere.csv", "target": "t"}}
    project = project_from_dict(content, tmp_path / "p.rsproj")
    assert project.graph.data is None
    assert "nowhere.csv" in project.refresh_signature()


def test_default_project_is_empty_but_serialisable():
    assert project_from_dict(Project().to_dict()).to_dict() == Project().to_dict()
