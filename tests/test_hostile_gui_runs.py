"""Damaged run folders in the window: the Runs panel still lists every run, a damaged file is
named when its run opens, and the rest of that run (losses, the other probes) still shows."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from gui_run_helpers import open_in_window, tiny_project  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402

from engine.project import load_project  # noqa: E402
from engine.runs import METRICS, SUMMARY  # noqa: E402
from engine.training import train  # noqa: E402
from gui.testing import dialogs, window  # noqa: E402,F401


def test_a_damaged_run_is_listed_named_and_shown_in_part(window, tmp_path):
    project = tiny_project(tmp_path)
    good, bad = (train(project, runs_dir=tmp_path / "runs", overrides={"seed": s}).run_dir for s in (0, 1))
    (bad / SUMMARY).write_text('{"status": "finished", "val_loss": Infinity}')
    with open(bad / METRICS, "ab") as stream:
        stream.write(b"\xff\xfe not a line\n")
    probes = sorted((bad / "probes").glob("step_*.npz"))
    probes[1].write_bytes(b"not an npz")
    open_in_window(window, load_project(project.path))
    runs = window.training.runs
    rows = {item.data(0, Qt.UserRole): item.text(1) for item in runs.items()}
    assert rows == {good: "finished", bad: "damaged"}

    data = runs.open_run(bad)
    assert data is not None and data.loss.size == 40
    assert SUMMARY in data.message and METRICS in data.message and probes[1].name in data.message
    assert len(data.probes) == len(probes) - 1
    assert SUMMARY not in runs.open_run(good).message  # the other run is untouched


def test_file_open_answers_every_crafted_project_with_a_dialog(window, dialogs, monkeypatch):
    monkeypatch.setattr("engine.resource_estimate.available_memory", lambda: 16 * 1024**3)
    corpus = sorted((Path(__file__).parent / "hostile").glob("*.rsproj"))
    opened = {path.name for path in corpus if window.files.open_path(path)}
    # Valid files open (their problems listed); /dev/zero is outside the project: asked, and No.
    assert opened == {"long_project_name.rsproj", "huge_model.rsproj", "data_path_folder.rsproj"}
    assert "/dev/zero" in dialogs.texts("question")[0]
    refusals = dialogs.texts("critical")
    assert len(refusals) == len(corpus) - 4 and all("\x1b" not in text for text in refusals)
