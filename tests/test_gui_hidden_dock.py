"""The hidden-state dock on a character model: states coloured by input character or class,
one sequence at a time."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from probe_models import chain, model_and_data  # noqa: E402
from PySide6.QtWidgets import QVBoxLayout, QWidget  # noqa: E402

from engine.data.chars import character_class  # noqa: E402
from engine.probes import ProbeSession  # noqa: E402
from engine.project import Project  # noqa: E402
from engine.run_data import RunData  # noqa: E402
from gui.plots.hidden_dock import HiddenStatePanel  # noqa: E402
from gui.plots.run_view import RunView  # noqa: E402


def char_probe():
    project = Project(data={"task": "char_lm", "params": {"length": 20, "n_train": 16, "n_val": 8}}, name="chars")
    project.refresh_signature()
    blocks = [("chars", "TokenInput", {}), ("embed", "Embedding", {"dim": 4}), ("memory", "GRU", {"hidden_size": 6})]
    chain(project.graph, [*blocks, ("next", "TokenPrediction", {})])
    model, data = model_and_data(project)
    return ProbeSession(model, data, 4).run(0), data


def test_character_model_states_are_coloured_by_input_and_shown_one_sequence_at_a_time(qtbot):
    record, dataset = char_probe()
    assert record["input_tokens"].shape == (4, 20) and record["vocabulary"] == dataset.vocabulary
    host = QWidget()
    panel = HiddenStatePanel(RunView(host))
    QVBoxLayout(host).addWidget(panel)
    qtbot.addWidget(host)
    host.show()
    data = RunData(title="chars", loss_name="loss", live=False)
    data.add_event({"type": "probe", "step": 0, "probe": record})
    panel.view.show(data)
    qtbot.waitUntil(lambda: not panel.view.pending(), timeout=3000)
    assert panel.colour_by.isVisible() and len(panel.points.data) == 3 * 20  # the first 3 samples
    panel.sequence.setCurrentIndex(panel.sequence.findData(2))
    panel.colour_by.setCurrentIndex(panel.colour_by.findData("class"))
    panel.invalidate()
    qtbot.waitUntil(lambda: not panel.view.pending(), timeout=3000)
    text = "".join(dataset.vocabulary[t] for t in record["input_tokens"][2])
    assert len(panel.points.data) == 20 and panel._labels == list(text)
    brushes = [point.brush().color().name() for point in panel.points.points()]
    classes = [character_class(c) for c in text]
    for a in range(20):  # the same class, the same colour; another class, another colour
        for b in range(20):
            assert (brushes[a] == brushes[b]) == (classes[a] == classes[b])
    assert f"input {text[0]!r}" in panel._describe(*panel._paths[0, 0])
