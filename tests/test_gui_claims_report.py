"""Run ▸ Compare Cells… ▸ Save report (HTML): the dialog's comparison as a claims report."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from gui_run_helpers import RUN_TIMEOUT_MS, tiny_project  # noqa: E402

from gui.compare_dialog import CompareDialog  # noqa: E402


def test_the_compare_dialog_saves_the_claims_report(qtbot, tmp_path):
    project = tiny_project(tmp_path, steps=10)
    dialog = CompareDialog(None, project, tmp_path / "runs")
    qtbot.addWidget(dialog)
    dialog.show()
    for cell, box in dialog.cells.items():
        box.setChecked(cell in ("LSTM", "GRU"))
    assert not dialog.report_button.isEnabled()  # nothing to report yet
    dialog.steps.setValue(10)
    dialog.run_button.click()
    qtbot.waitUntil(lambda: not dialog.process.running, timeout=RUN_TIMEOUT_MS)
    assert dialog.report_button.isEnabled(), dialog.status.text()
    page = dialog.save_report(tmp_path / "report.html").read_text()
    assert "<td>LSTM</td>" in page and "<td>GRU</td>" in page
    assert "<b>GRUs have fewer parameters than LSTMs</b>: holds" in page
    assert page.count("<polyline") >= 4  # loss curves from the run folders, probe curves from their probes
    dialog.done(0)
