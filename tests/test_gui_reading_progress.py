"""Opening a project whose CSV file is big shows reading progress, and Cancel stops the read
and says so as the data problem; the window keeps working."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PySide6.QtWidgets import QProgressDialog  # noqa: E402

from engine.data.csv_table import CHUNK_BYTES  # noqa: E402
from engine.new_project import NewProjectChoices, create_project  # noqa: E402
from engine.project import load_project  # noqa: E402
from gui.reading_progress import CANCELLED  # noqa: E402
from gui.testing import dialogs, window  # noqa: E402,F401


@pytest.fixture
def big_csv_project(tmp_path):
    rows = CHUNK_BYTES // 20 + 1000  # each row about 25 bytes: over the size read in chunks
    values = np.sin(np.arange(rows) / 50.0)
    lines = ["step,value", *(f"{i},{v:.12f}" for i, v in enumerate(values))]
    (tmp_path / "series.csv").write_text("\n".join(lines) + "\n")
    assert (tmp_path / "series.csv").stat().st_size > CHUNK_BYTES
    create_project(tmp_path / "big.rsproj", NewProjectChoices(data=str(tmp_path / "series.csv")))
    return load_project(tmp_path / "big.rsproj", read_data=False)


def test_a_big_csv_is_read_with_a_progress_dialog(window, big_csv_project, monkeypatch):
    shown, held = [], []
    original = QProgressDialog.setValue

    def set_value(dialog, value):
        shown.append(value)
        held.append(window.editor.project)  # what timers firing during the read would see
        original(dialog, value)

    monkeypatch.setattr(QProgressDialog, "setValue", set_value)
    before = window.editor.project
    window.editor.set_project(big_csv_project)
    assert all(project is before for project in held)  # swapped only once the file was read
    assert window.editor.data_problem is None and window.editor.analysis.ok
    assert len(shown) > 1 and shown[-1] == 1000  # chunk by chunk, to the end
    assert not any(d.isVisible() for d in window.findChildren(QProgressDialog))  # closed once read


def test_cancel_stops_the_read_and_the_data_problem_says_so(window, big_csv_project, monkeypatch):
    monkeypatch.setattr(QProgressDialog, "wasCanceled", lambda self: True)
    window.editor.set_project(big_csv_project)
    assert window.editor.data_problem == CANCELLED
    assert window.editor.document.data is None
