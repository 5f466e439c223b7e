"""Crafted run folders: every damaged file is named, the rest of the run and other runs still load."""

from __future__ import annotations

import json
import math
import os
import shutil
import sys
import threading

import numpy as np
import pytest
from probe_models import adding_project

from engine import probe_store
from engine.cli import inspect_command
from engine.file_names import safe_stem
from engine.probe_store import ProbeStoreError, load_probes, save_probe
from engine.project import Project
from engine.runs import (
    METRICS,
    SUMMARY,
    WEIGHTS,
    RunFolderError,
    RunRecorder,
    last_step,
    load_run,
    new_run_dir,
    write_summary,
)
from engine.training import train


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    return train(adding_project(), steps=6, runs_dir=tmp_path_factory.mktemp("runs")).run_dir


@pytest.fixture
def run(finished, tmp_path):
    copy = tmp_path / finished.name
    shutil.copytree(finished, copy)
    return copy


@pytest.mark.parametrize(
    "content",
    [b"[1, 2, 3]", b'{"status": "finished", "val_loss": Infinity}', b'{"status": "\xff"}', b"{" * 5000, b""],
    ids=["list", "infinity", "not-utf8", "deep", "empty"],
)
def test_damaged_summary_is_named_and_the_rest_loads(run, content):
    (run / SUMMARY).write_bytes(content)
    record = load_run(run)
    assert record.status == "damaged" and len(record.steps) == 6
    assert len(record.problems) == 1 and run.name in record.problems[0] and SUMMARY in record.problems[0]
    assert "\n" not in record.problems[0]


def test_oversized_summary_is_refused_without_reading_it(run):
    with open(run / SUMMARY, "wb") as stream:
        stream.truncate(50 * 1024 * 1024)  # sparse: costs no disk
    record = load_run(run)
    assert record.status == "damaged" and "limit" in record.problems[0]


def test_damaged_metrics_lines_are_skipped_and_counted(run):
    lines = (run / METRICS).read_bytes().splitlines(keepends=True)
    lines[1] = b"[1, 2]\n"  # valid JSON, not an object
    lines[2] = b'{"type": "step", "step": 2, "loss": "\xff"}\n'  # not UTF-8
    lines[3] = b'{"type": "step", "step": 3}\n'  # no loss
    (run / METRICS).write_bytes(b"".join(lines) + b'{"type": "step", "st')  # and a cut last line
    record = load_run(run)
    assert len(record.steps) + len(record.evals) == len(lines) - 3
    assert record.problems == [f"run {run.name}: {METRICS} has 3 damaged lines (first: line 2); they are skipped"]


def test_a_single_line_without_newlines_cannot_fill_memory(run):
    with open(run / METRICS, "wb") as stream:
        stream.truncate(100 * 1024 * 1024)  # 100 MB of NUL bytes and no newline
    record = load_run(run)
    assert record.steps == [] and "longer than" in record.problems[0]


def test_non_finite_values_are_written_as_null_with_a_status_and_read_back(tmp_path):
    recorder = RunRecorder(tmp_path, Project(name="nan"))
    recorder.record({"type": "step", "step": 1, "loss": math.nan, "grad_norm": math.inf, "seconds": 0.1})
    recorder.write_summary({"status": "diverged", "val_loss": -math.inf, "baselines": {"mean": math.nan}})
    recorder.close()
    for name in (METRICS, SUMMARY):
        text = (tmp_path / name).read_text()
        assert "NaN" not in text and "Infinity" not in text
    line = json.loads((tmp_path / METRICS).read_text())
    assert line["loss"] is None and line["nonfinite"] == {"loss": "nan", "grad_norm": "inf"}
    record = load_run(tmp_path)
    assert math.isnan(record.steps[0]["loss"]) and record.steps[0]["grad_norm"] == math.inf
    assert record.summary["val_loss"] == -math.inf and record.problems == []


def test_damaged_weights_are_named(run):
    (run / WEIGHTS).write_bytes(b"\xff" * 64)
    with pytest.raises(RunFolderError, match=f"run {run.name}: {WEIGHTS} is damaged"):
        load_run(run).weights()


def test_a_pickle_inside_a_probe_file_is_refused_and_never_runs(run, tmp_path):
    marker = tmp_path / "pickle-ran"
    probe = sorted((run / "probes").glob("step_*.npz"))[0]
    payload = np.array([_Exploit(str(marker))], dtype=object)
    with open(probe, "wb") as stream:
        np.savez(stream, skeleton=np.array('{"step": 0}'), a0=payload)
    with pytest.raises(ProbeStoreError, match="damaged"):
        load_probes(run)
    assert not marker.exists()
    problems: list[str] = []
    assert len(load_probes(run, problems)) == len(list((run / "probes").glob("step_*.npz"))) - 1
    assert len(problems) == 1 and probe.name in problems[0]


class _Exploit:
    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


def test_a_probe_zip_bomb_is_refused_before_unpacking(run, monkeypatch):
    monkeypatch.setattr(probe_store, "MAX_RECORD_BYTES", 1_000_000)
    save_probe(run, {"step": 99, "zeros": np.zeros(2_000_000, dtype=np.uint8)})  # ~2 kB compressed
    problems: list[str] = []
    load_probes(run, problems)
    assert any("would unpack to 2.0 MB" in p for p in problems)


@pytest.mark.parametrize("damage", ["not-zip", "no-skeleton", "text-array", "fifo"])
def test_damaged_probe_files_are_named(run, damage):
    probe = sorted((run / "probes").glob("step_*.npz"))[-1]
    if damage == "not-zip":
        probe.write_bytes(b"PK\x03\x04 not really")
    elif damage == "no-skeleton":
        np.savez(probe, a0=np.zeros(3))
    elif damage == "text-array":
        np.savez(probe, skeleton=np.array('{"x": {"__array__": "a0"}}'), a0=np.array(["a", "b"]))
    else:
        if sys.platform == "win32":
            pytest.skip("FIFOs are POSIX")
        probe.unlink()
        os.mkfifo(probe)
    with pytest.raises(ProbeStoreError) as caught:
        load_probes(run)
    assert probe.name in str(caught.value)


def test_inspect_of_a_damaged_run_prints_one_line(run, capsys):
    (run / "probes" / "index.json").write_text('{"format": "recurrent-studio-probes", "version": 1e400}')
    assert inspect_command(run) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "index.json" in error


def test_simultaneous_run_folders_never_collide(tmp_path):
    project, folders, errors = Project(name="race"), [], []
    barrier = threading.Barrier(16)

    def start():
        barrier.wait()
        try:
            folders.append(new_run_dir(project, tmp_path))
        except Exception as error:  # the bug this guards against: FileExistsError
            errors.append(error)

    threads = [threading.Thread(target=start) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(set(folders)) == 16


def test_run_folder_names_are_short_and_portable(tmp_path):
    folder = new_run_dir(Project(name="Ω" * 240 + ' a/b\\c:*?"<>|\x01'), tmp_path)
    assert folder.is_dir() and len(folder.name.encode()) <= 120
    assert safe_stem("CON") == "CON_" and safe_stem("../..") == "run" and safe_stem("é" * 100, max_bytes=9) == "éééé"
    assert safe_stem("a  b?c") == "a_b_c"


def test_a_full_disk_is_one_run_folder_error(tmp_path):
    if not os.path.exists("/dev/full"):
        pytest.skip("needs /dev/full")
    recorder = RunRecorder(tmp_path, Project(name="full"))
    recorder._metrics.close()
    recorder._metrics = open("/dev/full", "w", buffering=1)  # every write: ENOSPC
    with pytest.raises(RunFolderError, match="disk is full"):
        recorder.record({"type": "step", "step": 1, "loss": 1.0, "grad_norm": 1.0})


def test_a_missing_probe_record_is_named_and_the_others_load(run):
    # The index names a file that is not there: the record is named, the run still opens.
    index = json.loads((run / "probes" / "index.json").read_text())
    index["probes"].append({"step": 1000, "file": "step_00001000.npz"})
    (run / "probes" / "index.json").write_text(json.dumps(index))
    problems: list[str] = []
    assert load_probes(run, problems) and "step_00001000.npz" in problems[0]


def test_last_step_of_a_dead_run_is_read_from_a_regular_file_only(run):
    assert last_step(run)["steps"] == 6
    (run / METRICS).unlink()
    if sys.platform != "win32":
        os.mkfifo(run / METRICS)  # an open() that blocked here would freeze the Runs panel
    assert last_step(run) == {}


def test_a_forced_summary_is_strict_json(run):
    (run / SUMMARY).unlink()
    write_summary(run, {"status": "killed", "train_loss": math.nan})
    assert "NaN" not in (run / SUMMARY).read_text() and math.isnan(load_run(run).summary["train_loss"])


def test_inspect_of_a_record_that_parses_but_is_not_a_probe_is_one_line(run, capsys):
    save_probe(run, {"step": 99, "blocks": {"memory": {"cell": 5}}})  # valid file, wrong content
    assert inspect_command(run) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and run.name in error and "damaged" in error
