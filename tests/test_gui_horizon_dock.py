"""The memory-horizon dock, driven through its model: RunData fed with a real run's events."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from gui_run_helpers import tiny_project  # noqa: E402
from PySide6.QtWidgets import QVBoxLayout, QWidget  # noqa: E402

from engine.run_data import RunData  # noqa: E402
from engine.training import train  # noqa: E402
from gui.plots.horizon_dock import HorizonPanel  # noqa: E402
from gui.plots.run_view import RunView  # noqa: E402


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    events = []
    train(tiny_project(tmp_path_factory.mktemp("run")), events.append, record=False)
    fed = RunData(title="tiny", loss_name="loss (MSE)", live=False)
    for event in events:
        if event["type"] != "step":
            fed.add_event(event)
    return fed


@pytest.fixture
def panel(qtbot):
    host = QWidget()
    view = RunView(host)
    made = HorizonPanel(view)
    QVBoxLayout(host).addWidget(made)
    host.resize(500, 600)
    qtbot.addWidget(host)
    host.show()
    made.host = host  # keep the parent alive
    return made


def test_attribution_with_fading_earlier_probes_and_the_horizon_over_training(qtbot, panel, data):
    panel.view.show(data)
    qtbot.waitUntil(lambda: not panel.view.pending(), timeout=3000)
    last = data.probes[-1]["blocks"]["memory"]
    assert np.allclose(panel.current.getData()[1], np.log10(last["attribution"]))
    drawn = [curve.getData()[0] for curve in panel.earlier]
    assert sum(x is not None and len(x) > 0 for x in drawn) == min(6, len(data.probes) - 1)
    steps, horizons = panel.curve.getData()
    assert steps.tolist() == [p["step"] for p in data.probes]
    assert horizons.tolist() == [p["blocks"]["memory"]["memory_horizon"] for p in data.probes]
    assert panel.horizon_line.value() == last["memory_horizon"]
    assert f"horizon {last['memory_horizon']} of" in panel.summary.text()
    data.select_probe(0)  # replaying an earlier probe moves the marker back
    qtbot.waitUntil(lambda: not panel.view.pending(), timeout=3000)
    assert panel.marker.data["x"].tolist() == [data.probes[0]["step"]]
    assert len(panel.curve.getData()[0]) == 1
