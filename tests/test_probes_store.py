"""Probe records in run folders: saved as the run goes, read back exactly as they were live."""

from __future__ import annotations

import json

import numpy as np
import pytest
from probe_models import adding_project, stacked_project

from engine.probe_store import ProbeStoreError, load_probes, save_probe
from engine.runs import RunFolderError
from engine.training import train


def same(a, b) -> bool:
    """Deep equality that also compares numpy arrays' dtype, shape and values (NaN = NaN)."""
    if isinstance(a, np.ndarray):
        return (
            isinstance(b, np.ndarray)
            and a.dtype == b.dtype
            and a.shape == b.shape
            and np.array_equal(a, b, equal_nan=True)
        )
    if isinstance(a, dict):
        return isinstance(b, dict) and list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and np.isnan(a):
        return isinstance(b, float) and np.isnan(b)
    return type(a) is type(b) and a == b


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory):
    events = []
    result = train(stacked_project(), events.append, steps=7, runs_dir=tmp_path_factory.mktemp("runs"))
    return result.run_dir, [e["probe"] for e in events if e["type"] == "probe"]


def test_a_run_reads_back_exactly_as_it_was_live(finished_run):
    run_dir, live = finished_run
    assert [record["step"] for record in live] == [0, 5, 7]
    loaded = load_probes(run_dir)
    assert len(loaded) == len(live) and all(same(a, b) for a, b in zip(live, loaded))


def test_saving_a_step_again_replaces_it(tmp_path):
    save_probe(tmp_path, {"step": 3, "value": np.arange(3.0), "note": None})
    save_probe(tmp_path, {"step": 1, "value": np.zeros(2, dtype=np.float32), "nested": [{"x": 1.5}]})
    save_probe(tmp_path, {"step": 3, "value": np.ones(1), "ratio": float("nan")})
    loaded = load_probes(tmp_path)
    assert [r["step"] for r in loaded] == [1, 3]
    assert same(loaded[0], {"step": 1, "value": np.zeros(2, dtype=np.float32), "nested": [{"x": 1.5}]})
    assert same(loaded[1], {"step": 3, "value": np.ones(1), "ratio": float("nan")})


def test_nothing_unpicklable_or_unknown_is_saved(tmp_path):
    with pytest.raises(TypeError):
        save_probe(tmp_path, {"step": 0, "bad": np.array([object()])})
    with pytest.raises(TypeError):
        save_probe(tmp_path, {"step": 0, "bad": {1, 2}})


def copy_run(run_dir, tmp_path):
    import shutil

    target = tmp_path / "run"
    shutil.copytree(run_dir, target)
    return target


def test_a_newer_probe_format_is_refused(finished_run, tmp_path):
    run = copy_run(finished_run[0], tmp_path)
    index = json.loads((run / "probes" / "index.json").read_text())
    (run / "probes" / "index.json").write_text(json.dumps({**index, "version": 99}))
    with pytest.raises(RunFolderError, match="newer Recurrent Studio .*probe format 99"):
        load_probes(run)


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda run: (run / "probes" / "step_00000005.npz").unlink(), "step_00000005.npz: is missing"),
        (lambda run: (run / "probes" / "index.json").unlink(), "index.json: is missing"),
        (lambda run: (run / "probes" / "index.json").write_text("{"), "not valid JSON"),
        (lambda run: (run / "probes" / "step_00000000.npz").write_bytes(b"garbage"), "the probe file is damaged"),
    ],
)
def test_damaged_folders_give_one_clear_message(finished_run, tmp_path, damage, message):
    run = copy_run(finished_run[0], tmp_path)
    damage(run)
    with pytest.raises(ProbeStoreError, match=message):
        load_probes(run)


def test_a_run_without_probes(tmp_path):
    result = train(adding_project(), steps=2, runs_dir=tmp_path, overrides={"probe_every": 0})
    with pytest.raises(ProbeStoreError, match="has no probe records"):
        load_probes(result.run_dir)
    with pytest.raises(ProbeStoreError, match="is not a folder"):
        load_probes(tmp_path / "nowhere")
