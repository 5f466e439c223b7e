"""The predictions view, by the task's target (payloads from engine.predictions):
regression — one validation sample's input with its target and forecast, and forecast
against target over the validation set; classification — the confusion matrix; tokens —
input, target and predicted text, and text the model writes at a chosen temperature.

A live run sends predictions at each evaluation. An opened run has only its weights, so its
predictions are computed on request (that loads torch and the data in the window).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QSpinBox, QStackedWidget, QWidget

from engine.run_data import RunData

from .common import PlotPanel, Readout, SideBySide, colour_key, combo, panel_layout, series_color, set_items, style_plot
from .run_view import RunView

MAX_LABELLED_CLASSES = 20


class RegressionPage(QWidget):
    def __init__(self):
        super().__init__()
        self.sample = QSpinBox(minimum=0, maximum=0, toolTip="Validation sample shown on the left")
        series, scatter = pg.GraphicsLayoutWidget(), pg.GraphicsLayoutWidget()
        key = colour_key(
            "sample", [("input", series_color(0)), ("target ○", series_color(2)), ("forecast ×", series_color(1))]
        )
        self.series_plot = style_plot(series.addPlot(), key, "time step t", "value")
        self.input = self.series_plot.plot(pen=pg.mkPen(series_color(0), width=1.5))
        self.target = self.series_plot.plot(
            pen=None, symbol="o", symbolSize=8, symbolBrush=None, symbolPen=pg.mkPen(series_color(2), width=2)
        )
        self.forecast = self.series_plot.plot(
            pen=None,
            symbol="x",
            symbolSize=9,
            symbolBrush=series_color(1),
            symbolPen=pg.mkPen(series_color(1), width=2),
        )
        self.scatter_plot = style_plot(scatter.addPlot(), "validation set", "target", "forecast")
        self.diagonal = self.scatter_plot.plot(pen=pg.mkPen("#8e96a3", width=1, style=Qt.DashLine))
        self.scatter = pg.ScatterPlotItem(size=4, pen=None, brush=series_color(0, 150))
        self.scatter_plot.addItem(self.scatter)
        self.readout = Readout()
        self.readout.follow(self.series_plot, self._describe_series)
        self.readout.follow(self.scatter_plot, self._describe_scatter)
        self.payload: dict | None = None
        row = QHBoxLayout()
        row.addWidget(QLabel("sample"))
        row.addWidget(self.sample)
        row.addStretch(1)
        panel_layout(self, row, SideBySide(series, scatter), self.readout).setStretch(1, 1)

    def show_payload(self, payload: dict, when: str) -> None:
        self.payload = payload
        self.readout.setText(f"{when} · point to read values")
        self.sample.setMaximum(len(payload["inputs"]) - 1)
        k = self.sample.value()
        inputs, targets, forecasts = payload["inputs"][k], payload["targets"][k], payload["forecasts"][k]
        before, after = self._x(payload, k)
        self.input.setData(before, inputs)
        self.target.setData(after, targets)
        self.forecast.setData(after, forecasts)
        self._time_axis(payload, k)
        x, y = payload["all_targets"], payload["all_forecasts"]
        self.scatter.setData(x, y)
        low, high = float(min(x.min(), y.min())), float(max(x.max(), y.max()))
        self.diagonal.setData([low, high], [low, high])

    @staticmethod
    def _x(payload: dict, k: int) -> tuple[np.ndarray, np.ndarray]:
        """x of the window and of the targets: rows of the series for a forecast, else 0, 1, ..."""
        if "input_x" in payload:
            return payload["input_x"][k], payload["target_x"][k]
        steps, ahead = len(payload["inputs"][k]), len(payload["targets"][k])
        return np.arange(steps), np.arange(steps, steps + ahead)

    def _time_axis(self, payload: dict, k: int) -> None:
        """A forecast's x axis shows its time labels (first, last input and last target) and
        its y axis the target's name; other payloads keep step numbers."""
        axis = self.series_plot.getAxis("bottom")
        if "input_labels" not in payload:
            axis.setTicks(None)
            return
        xs = [payload["input_x"][k][0], payload["input_x"][k][-1], payload["target_x"][k][-1]]
        labels = [payload["input_labels"][k][0], payload["input_labels"][k][-1], payload["target_labels"][k][-1]]
        axis.setTicks([list(zip(map(float, xs), map(str, labels)))])
        axis.setLabel(payload["time_name"])
        self.series_plot.getAxis("left").setLabel(payload["units"])

    def _describe_series(self, x: float, y: float) -> str:
        if self.payload is None:
            return ""
        k = self.sample.value()
        before, _ = self._x(self.payload, k)
        t = int(round(x)) - int(before[0])  # steps from the window's first row
        inputs, targets = self.payload["inputs"][k], self.payload["targets"][k]
        payload = self.payload
        labels = [*payload["input_labels"][k], *payload["target_labels"][k]] if "input_labels" in payload else []
        when = labels[t] if 0 <= t < len(labels) else f"t = {t}"
        if 0 <= t < len(inputs):
            return f"{when} · input {inputs[t]:.4g}"
        if 0 <= t - len(inputs) < len(targets):
            i = t - len(inputs)
            return f"{when} · target {targets[i]:.4g} · forecast {self.payload['forecasts'][k][i]:.4g}"
        return ""

    def _describe_scatter(self, x: float, y: float) -> str:
        if self.payload is None:
            return ""
        targets, forecasts = self.payload["all_targets"], self.payload["all_forecasts"]
        i = int(np.argmin(np.hypot(targets - x, forecasts - y)))
        return f"validation sample {i} · target {targets[i]:.4g} · forecast {forecasts[i]:.4g}"


class ConfusionPage(QWidget):
    def __init__(self):
        super().__init__()
        self.graphics = pg.GraphicsLayoutWidget()
        self.plot = style_plot(self.graphics.addPlot(), "validation set", "predicted class", "true class")
        self.plot.invertY(True)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.plot.addItem(self.image)
        bar = pg.ColorBarItem(
            values=(0, 100), colorMap="viridis", interactive=False, width=12, label="share of the true class (%)"
        )
        bar.setImageItem(self.image, insert_in=self.plot)
        self.labels: list[pg.TextItem] = []
        self.readout = Readout()
        self.readout.follow(self.plot, self._describe)
        self.payload: dict | None = None
        # Text data: the misclassified validation texts, the first thing a user wants to read.
        self.mistakes = QPlainTextEdit(readOnly=True, maximumHeight=160, visible=False)
        panel_layout(self, self.graphics, self.readout, self.mistakes)

    def show_payload(self, payload: dict, when: str) -> None:
        self.payload = payload
        self.readout.setText(f"{when} · {_scores(payload.get('scores'))}point at a cell to read it")
        wrong = payload.get("mistakes")
        self.mistakes.setVisible(wrong is not None)
        lines = [f"true {true}, predicted {predicted}: {text}" for text, true, predicted in wrong or []]
        self.mistakes.setPlainText("\n".join(lines) or "No validation text is misclassified.")
        counts = payload["confusion"]
        shares = 100 * counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
        self.image.setImage(shares.astype(np.float32), autoLevels=False, levels=(0, 100))
        ticks = [[(i + 0.5, name) for i, name in enumerate(payload["class_names"])]]
        for side in ("bottom", "left"):
            self.plot.getAxis(side).setTicks(ticks)
        for label in self.labels:
            self.plot.removeItem(label)
        self.labels = []
        if len(counts) <= MAX_LABELLED_CLASSES:
            for (row, column), count in np.ndenumerate(counts):
                label = pg.TextItem(str(count), color="w", anchor=(0.5, 0.5))
                label.setPos(column + 0.5, row + 0.5)
                self.plot.addItem(label)
                self.labels.append(label)

    def _describe(self, x: float, y: float) -> str:
        if self.payload is None:
            return ""
        counts, names = self.payload["confusion"], self.payload["class_names"]
        row, column = int(np.floor(y)), int(np.floor(x))
        if not (0 <= row < len(counts) and 0 <= column < len(counts)):
            return ""
        share = 100 * counts[row, column] / max(counts[row].sum(), 1)
        return f"true {names[row]}, predicted {names[column]}: {counts[row, column]} ({share:.1f} % of {names[row]})"


def _scores(scores: dict | None) -> str:
    """'accuracy 93.0 %, macro-F1 0.925 (always 'a': 50.0 %, 0.333) · ', or '' without scores."""
    if not scores:
        return ""
    base = scores["baseline"]
    return (
        f"accuracy {scores['accuracy']:.1%}, macro-F1 {scores['macro_f1']:.3f} "
        f"(baseline {base['name']}: {base['accuracy']:.1%}, {base['macro_f1']:.3f}) · "
    )


class TextPage(QWidget):
    def __init__(self):
        super().__init__()
        self.temperature = combo("Sampling temperature: low is safe and repetitive, high is varied and wild")
        self.temperature.activated.connect(lambda: self.payload and self.show_payload(self.payload, self.when))
        self.text = QPlainTextEdit(readOnly=True)
        self.text.setFont(QFont("DejaVu Sans Mono", 9))
        self.payload: dict | None = None
        self.when = ""
        row = QHBoxLayout()
        row.addWidget(QLabel("temperature"))
        row.addWidget(self.temperature)
        row.addStretch(1)
        panel_layout(self, row, self.text)

    def show_payload(self, payload: dict, when: str) -> None:
        self.payload, self.when = payload, when
        samples = payload["samples"]
        current = self.temperature.currentData() or (list(samples)[len(samples) // 2] if samples else None)
        set_items(self.temperature, [(t, t) for t in samples], current)
        self.temperature.setEnabled(bool(samples))
        lines = [when, ""]
        if samples:
            lines += [
                f"Written by the model at temperature {current}, after the prompt:",
                f"  {payload['prompt']!r}",
                f"  → {samples[current]!r}",
                "",
            ]
        for index, (given, target, predicted) in enumerate(payload["rows"]):
            lines += [
                f"validation sample {index}",
                f"  input      {given}",
                f"  target     {target}",
                f"  predicted  {predicted}",
                "",
            ]
        self.text.setPlainText("\n".join(lines))


class PredictionsPanel(PlotPanel):
    watches = ("predictions", "status")

    def __init__(self, view: RunView, compute=None):
        super().__init__(view)
        self.compute = compute  # callable(run_dir) -> payload, for opened runs
        self.message = QLabel(objectName="dim", alignment=Qt.AlignCenter, wordWrap=True)
        self.compute_button = QPushButton(
            "Compute from saved weights", toolTip="Run this run's trained model on its validation data"
        )
        self.compute_button.clicked.connect(self._compute)
        self.pages = {"regression": RegressionPage(), "classification": ConfusionPage(), "tokens": TextPage()}
        self.pages["regression"].sample.valueChanged.connect(self.invalidate)
        empty = QWidget()
        panel_layout(empty, self.message, self.compute_button)
        self.stack = QStackedWidget()
        for page in (empty, *self.pages.values()):
            self.stack.addWidget(page)
        panel_layout(self, self.stack).setStretch(0, 1)

    def redraw(self, data: RunData) -> None:
        payload = data.predictions
        if payload is None:
            self.stack.setCurrentIndex(0)
            can_compute = not data.live and data.run_dir is not None and self.compute is not None
            self.message.setText(
                "Predictions appear at the first evaluation."
                if data.live or not can_compute
                else "This run was opened from its folder."
            )
            self.compute_button.setVisible(can_compute)
            return
        page = self.pages[payload["kind"]]
        page.show_payload(payload, f"Predictions at step {data.predictions_step}")
        self.stack.setCurrentWidget(page)

    def _compute(self) -> None:
        data = self.view.data
        try:
            payload = self.compute(data.run_dir)
        except Exception as error:  # a damaged folder or a model that no longer builds
            self.message.setText(f"Predictions could not be computed: {error}")
            return
        data.predictions, data.predictions_step = payload, data.last_step
        data.changed("predictions")
