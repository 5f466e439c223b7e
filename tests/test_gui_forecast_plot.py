"""The predictions view of a forecast: original units, the time index on the x axis."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from engine.compiler import compile_graph  # noqa: E402
from engine.new_project import NewProjectChoices, create_project  # noqa: E402
from engine.predictions import predictions  # noqa: E402
from gui.plots.predictions_dock import RegressionPage  # noqa: E402
from gui.testing import dialogs, window  # noqa: E402,F401
from tests.test_time_series import wide_monthly  # noqa: E402


def forecast_payload(tmp_path):
    data = wide_monthly(tmp_path / "wide.csv")
    project, _ = create_project(tmp_path / "p.rsproj", NewProjectChoices(data=str(data), layout="wide", horizon=2))
    from engine.data import load_dataset

    dataset = load_dataset(project.data, project.base_dir)
    return predictions(compile_graph(project.graph, dataset.signature), dataset), dataset


def test_forecast_payload_is_in_the_data_units_with_times(tmp_path):
    payload, dataset = forecast_payload(tmp_path)
    info = dataset.forecast
    t = info.val_ends[0]
    assert np.allclose(payload["inputs"][0], info.level[t - 11 : t + 1])  # the window, not z-scores
    assert np.allclose(payload["targets"][0], info.level[t + 1 : t + 3])
    assert payload["target_labels"][0][0] == info.labels[t + 1] and payload["units"] == "value"


def test_regression_page_puts_the_time_index_on_the_x_axis(qtbot, tmp_path):
    payload, _ = forecast_payload(tmp_path)
    page = RegressionPage()
    qtbot.addWidget(page)
    page.show_payload(payload, "now")
    xs, ys = page.input.getData()
    assert xs[0] == payload["input_x"][0][0] and np.allclose(ys, payload["inputs"][0])
    ticks = page.series_plot.getAxis("bottom")._tickLevels[0]
    assert [label for _, label in ticks] == [
        payload["input_labels"][0][0],
        payload["input_labels"][0][-1],
        payload["target_labels"][0][-1],
    ]
    assert page.series_plot.getAxis("left").labelText == "value"
    assert page._describe_series(float(payload["target_x"][0][0]), 0.0).startswith(payload["target_labels"][0][0])


def test_data_form_previews_a_built_in_series_and_credits_its_source(window, qtbot):  # noqa: F811
    pytest.importorskip("statsmodels")
    from tests.test_gui_inspector import chain_project

    window.editor.set_project(chain_project())
    form = window.inspector.project_form
    form.task.activated.emit(form.task.findData("csv"))
    window.editor.set_data_settings({"task": "csv", "params": {"path": "builtin:elnino", "layout": "wide"}})
    form.refresh()
    header = [form.preview_table.horizontalHeaderItem(i).text() for i in range(form.preview_table.columnCount())]
    assert header[:3] == ["YEAR", "JAN", "FEB"] and form.preview_table.rowCount() > 0
    assert "Licence: public domain" in form.preview_title.toolTip() and "NOAA" in form.preview_title.toolTip()
