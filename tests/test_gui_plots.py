"""The plot docks, driven through their model: a RunData fed with real engine events, a
RunView whose tick redraws them. No training process here (see test_gui_training.py)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from gui_run_helpers import tiny_project  # noqa: E402
from PySide6.QtCore import QPointF  # noqa: E402
from PySide6.QtWidgets import QVBoxLayout, QWidget  # noqa: E402

from engine.compiler import compile_graph  # noqa: E402
from engine.data import load_dataset  # noqa: E402
from engine.predictions import predictions  # noqa: E402
from engine.project import load_project  # noqa: E402
from engine.run_data import LossSeries, RunData  # noqa: E402
from engine.training import train  # noqa: E402
from gui.paths import EXAMPLES  # noqa: E402
from gui.plots.gates_dock import GatesPanel  # noqa: E402
from gui.plots.gradient_dock import GradientPanel  # noqa: E402
from gui.plots.hidden_dock import HiddenStatePanel  # noqa: E402
from gui.plots.loss_dock import LossPanel  # noqa: E402
from gui.plots.predictions_dock import PredictionsPanel  # noqa: E402
from gui.plots.run_view import RunView  # noqa: E402


@pytest.fixture(scope="module")
def events(tmp_path_factory):
    """The events of one tiny LSTM run (40 steps, a probe every 5, predictions at each eval)."""
    recorded = []
    train(tiny_project(tmp_path_factory.mktemp("run")), recorded.append, record=False, on_evaluate=predictions)
    return recorded


def fed(events) -> RunData:
    """RunData filled the way the session fills it: step events in chunks, others one by one."""
    data = RunData(title="tiny", loss_name="loss (MSE)", live=True)
    steps = [e for e in events if e["type"] == "step"]
    for start in range(0, len(steps), 7):
        chunk = steps[start : start + 7]
        data.add_steps(*(np.array([e[k] for e in chunk]) for k in ("step", "loss", "grad_norm")))
    for event in events:
        data.add_event(event)
    return data


@pytest.fixture
def panels(qtbot):
    host = QWidget()
    view = RunView(host)
    host.resize(900, 1400)
    made = {
        "loss": LossPanel(view),
        "gates": GatesPanel(view),
        "hidden": HiddenStatePanel(view),
        "gradient": GradientPanel(view),
        "predictions": PredictionsPanel(view),
    }
    layout = QVBoxLayout(host)
    for panel in made.values():
        layout.addWidget(panel)
    qtbot.addWidget(host)
    host.show()
    made["view"], made["host"] = view, host
    return made


def redrawn(qtbot, panels) -> None:
    """Wait until every visible panel has had its turn to draw the current state."""
    qtbot.waitUntil(lambda: not panels["view"].pending(), timeout=3000)


def test_the_loss_series_smooths_every_step_and_stays_bounded():
    series = LossSeries(capacity=100)
    series.extend(np.arange(1, 1001), np.full(1000, 2.0))
    assert series.size <= 100 and series.steps[0] == 1 and series.steps[-1] > 900
    assert np.allclose(series.smoothed, 2.0)  # the debiased average of a constant is the constant
    assert np.all(np.diff(series.steps) > 0)


def test_every_panel_draws_a_run(qtbot, panels, events):
    panels["view"].show(fed(events))
    redrawn(qtbot, panels)
    assert len(panels["loss"].smoothed.getData()[0]) == 40
    assert list(panels["loss"].validation.getData()[0]) == [0, 10, 20, 30, 40]
    gates = panels["gates"]
    assert gates.image.image.shape == (8, 10) and gates.image.levels.tolist() == [0, 1]
    assert sorted(gates.mean_curves) == ["candidate", "forget", "input", "output"]
    assert len(gates.low.getData()[0]) == 9
    assert len(panels["hidden"].points.data) == 3 * 10
    assert "% of variance" in panels["hidden"].plot.getAxis("bottom").labelText
    gradient = panels["gradient"]
    assert len(gradient.current.getData()[1]) == 10
    assert sum(curve.getData()[0] is not None and len(curve.getData()[0]) > 0 for curve in gradient.earlier) == 6
    prediction = panels["predictions"]
    assert prediction.stack.currentWidget() is prediction.pages["regression"]
    assert len(prediction.pages["regression"].scatter.data) == 32


def test_the_heatmap_levels_follow_the_gate_kind(qtbot, panels, events):
    panels["view"].show(fed(events))
    redrawn(qtbot, panels)
    gates = panels["gates"]
    gates.gate.setCurrentIndex(gates.gate.findData("candidate"))
    gates.gate.activated.emit(gates.gate.currentIndex())
    redrawn(qtbot, panels)
    assert gates.image.levels.tolist() == [-1, 1]
    assert "candidate" in gates.heatmap_plot.titleLabel.text


def test_choosing_an_earlier_probe_replays_it(qtbot, panels, events):
    data = fed(events)
    data.live = False
    panels["view"].show(data)
    data.select_probe(0)
    redrawn(qtbot, panels)
    first = data.probes[0]["blocks"]["memory"]
    assert np.array_equal(panels["gates"].image.image, first["gate_sample"]["input"][0, 0].T)
    assert len(panels["gates"].low.getData()[0]) == 1
    assert np.allclose(panels["gradient"].current.getData()[1], np.log10(first["grad_norm"][0, 0]))
    data.select_probe(len(data.probes) - 1)
    redrawn(qtbot, panels)
    assert not np.array_equal(panels["gates"].image.image, first["gate_sample"]["input"][0, 0].T)


def test_log_scale_overlays_and_the_hover_read_out(qtbot, panels, events):
    view, loss = panels["view"], panels["loss"]
    view.show(fed(events))
    other = fed(events)
    other.title = "an earlier run"
    view.set_overlays([other])
    loss.log_scale.setChecked(True)
    redrawn(qtbot, panels)
    assert loss.plot.ctrl.logYCheck.isChecked()
    assert loss.plot.getAxis("left").labelText == "loss (MSE) (log scale)"
    [overlay] = loss.overlay_curves
    assert loss.legend.getLabel(overlay).text == "an earlier run"
    qtbot.waitUntil(lambda: loss.plot.vb.viewRange()[0][1] >= 40, timeout=3000)  # the range follows the data
    target = loss.plot.vb.mapViewToScene(QPointF(20, np.mean(loss.plot.vb.viewRange()[1])))
    loss.plot.scene().sigMouseMoved.emit(target)
    qtbot.waitUntil(lambda: loss.readout.text().startswith("step 20"), timeout=2000)
    assert "validation at 20" in loss.readout.text() and "an earlier run" in loss.readout.text()


def test_the_canvas_selection_chooses_the_block(qtbot, panels, events):
    view = panels["view"]
    view.show(fed(events))
    view.follow_canvas(["sum"])  # not a recurrent block: nothing changes
    assert view.block_id is None
    view.follow_canvas(["memory"])
    assert view.block_id == "memory"


def _model_and_data(name: str, **data_params):
    project = load_project(EXAMPLES / f"{name}.rsproj")
    project.data["params"].update(data_params)
    data = load_dataset(project.data, project.base_dir, seed=0)
    return compile_graph(project.graph, data.signature), data


def test_predictions_show_a_confusion_matrix_and_sampled_text(qtbot, panels):
    view, prediction = panels["view"], panels["predictions"]
    model, data = _model_and_data("sensor_anomaly_gru", n_train=16, n_val=40)
    view.show(RunData(predictions=predictions(model, data), predictions_step=0))
    redrawn(qtbot, panels)
    confusion = prediction.pages["classification"]
    assert prediction.stack.currentWidget() is confusion
    assert confusion.image.image.shape == (2, 2) and len(confusion.labels) == 4
    assert sum(int(label.textItem.toPlainText()) for label in confusion.labels) == 40

    model, data = _model_and_data("char_lm_gru", n_train=8, n_val=8, length=32)
    view.show(RunData(predictions=predictions(model, data), predictions_step=0))
    redrawn(qtbot, panels)
    text = prediction.pages["tokens"]
    assert prediction.stack.currentWidget() is text
    assert [text.temperature.itemText(i) for i in range(text.temperature.count())] == ["0.5", "1", "1.5"]
    assert "Written by the model at temperature 1" in text.text.toPlainText()


def test_a_forecasters_baselines_are_labelled_reference_lines_in_the_loss_units(qtbot, panels, tmp_path):
    from engine.new_project import NewProjectChoices, create_project
    from gui.runs.replay import load_run_data
    from tests.test_time_series import wide_monthly

    project, _ = create_project(
        tmp_path / "p.rsproj", NewProjectChoices(data=str(wide_monthly(tmp_path / "m.csv")), layout="wide")
    )
    recorded = []
    overrides = {"probe_every": 0, "eval_every": 10, "batch_size": 32}
    result = train(project, recorded.append, steps=20, runs_dir=tmp_path / "runs", overrides=overrides)
    summary, report = result.summary, result.summary["forecast"]
    losses = summary["baseline_losses"]
    assert set(losses) == {"mean", "persistence", "seasonal"}
    # The validation loss's units (MSE on the normalised target): the data-unit RMSE over the scale, squared.
    scale = load_dataset(project.data, project.base_dir).forecast.scale
    for name, value in losses.items():
        assert value == pytest.approx((report["baselines"][name]["rmse_all"] / scale) ** 2, rel=1e-4)
    assert losses["mean"] == pytest.approx(summary["baseline_loss"], rel=1e-4)  # the train-mean predictor
    evals = [e for e in recorded if e["type"] == "eval"]
    assert evals and all(e["baselines"] == losses for e in evals)

    loss = panels["loss"]
    for data in (fed(recorded), load_run_data(result.run_dir)):  # live, then a reopened run
        for log in (True, False):
            loss.log_scale.setChecked(log)
            panels["view"].show(data)
            loss.invalidate()
            redrawn(qtbot, panels)
            assert set(loss.baseline_lines) == set(losses)
            for name, line in loss.baseline_lines.items():
                assert line.angle == 0 and line.isVisible()
                assert line.value() == pytest.approx(np.log10(losses[name]) if log else losses[name])
            assert loss.baseline_lines["persistence"].label.format.startswith("persistence ")
            assert loss.baseline_lines["seasonal"].label.format.startswith("seasonal naive ")
