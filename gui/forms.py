"""Settings forms built from parameter schemas (block Params, training Params, DataParams).

One field per parameter, chosen by its type: spin boxes with the schema's range, combo
boxes for choices, check boxes, text, file paths and CSV column pickers. Help text becomes
the tooltip. A form reports user edits with `edited(name, value)` and never echoes values
set through `set_values`, so refreshing a form cannot create an edit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSpinBox,
    QToolButton,
    QWidget,
)

INT_LIMIT = 2**31 - 1
LABEL_WIDTH = 100  # one label column width, so stacked forms line up


def compact_combo() -> QComboBox:
    """A combo box whose longest entry does not widen the whole form."""
    box = QComboBox()
    box.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
    box.setMinimumContentsLength(6)
    return box


def humanise(name: str) -> str:
    return name.replace("_", " ").capitalize()


class _WheelGuard(QObject):
    """Scrolling a form must not change the value under the mouse unless it has focus."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Wheel and not watched.hasFocus():
            event.ignore()
            return True
        return False


class ScientificSpinBox(QDoubleSpinBox):
    """A float spin box that shows 0.001 and 1e-07 as such, not as 0.0010000."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setDecimals(12)
        self.setStepType(QAbstractSpinBox.AdaptiveDecimalStepType)

    def textFromValue(self, value: float) -> str:
        return f"{value:.6g}"

    def valueFromText(self, text: str) -> float:
        try:
            return float(text)
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int):
        try:
            float(text)
            return QValidator.Acceptable, text, pos
        except ValueError:
            return QValidator.Intermediate, text, pos


class PathField(QWidget):
    """A file path: typed, or chosen with a file dialog."""

    committed = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.line = QLineEdit(placeholderText="(bundled sample)")
        self.line.editingFinished.connect(lambda: self.committed.emit(self.line.text().strip()))
        browse = QToolButton(text="…", toolTip="Choose a file")
        browse.clicked.connect(self._browse)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.line)
        layout.addWidget(browse)

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Choose a data file", self.line.text(), "Data files (*.csv *.txt *.tsv);;All files (*)"
        )
        if path:
            self.line.setText(path)
            self.committed.emit(path)


class ColumnsField(QListWidget):
    """A checkable list of CSV columns; the value is the checked names in file order."""

    committed = Signal(list)

    VISIBLE_ROWS = 6

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("columns")
        self.itemChanged.connect(lambda item: self.committed.emit(self.checked()))

    def checked(self) -> list[str]:
        return [self.item(i).text() for i in range(self.count()) if self.item(i).checkState() == Qt.Checked]

    def set_state(self, columns: list[str], checked: list[str]) -> None:
        self.blockSignals(True)
        self.clear()
        for name in list(columns) + [c for c in checked if c not in columns]:
            item = QListWidgetItem(name, self)
            item.setFlags(Qt.ItemIsEnabled | Qt.ItemIsUserCheckable)
            item.setCheckState(Qt.Checked if name in checked else Qt.Unchecked)
        self.blockSignals(False)
        rows = max(1, min(self.count(), self.VISIBLE_ROWS))
        self.setFixedHeight(rows * max(self.sizeHintForRow(0), 18) + 2 * self.frameWidth() + 4)


class ParamForm(QWidget):
    edited = Signal(str, object)  # parameter name, new value (user edits only)

    def __init__(self, params, parent: QWidget | None = None):
        super().__init__(parent)
        self._params = {p.name: p for p in params}
        self._setters: dict[str, Callable[[Any], None]] = {}
        self._widgets: dict[str, QWidget] = {}
        self._columns: list[str] = []
        self._values: dict[str, Any] = {}
        self._guard = _WheelGuard(self)
        layout = QFormLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setLabelAlignment(Qt.AlignLeft | Qt.AlignVCenter)
        layout.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
        for param in params:
            widget = self._make_field(param)
            widget.setToolTip(param.help)
            label = QLabel(humanise(param.name), minimumWidth=LABEL_WIDTH)
            label.setToolTip(f"<b>{param.name}</b><br>{param.help}")
            layout.addRow(label, widget)
            self._widgets[param.name] = widget

    def widget(self, name: str) -> QWidget:
        return self._widgets[name]

    def set_values(self, values: dict[str, Any]) -> None:
        self._values = dict(values)
        for name, setter in self._setters.items():
            widget = self._widgets[name]
            widget.blockSignals(True)
            setter(values.get(name, self._params[name].default))
            widget.blockSignals(False)

    def set_column_choices(self, columns: list[str]) -> None:
        """The CSV columns offered by "column" and "columns" fields."""
        self._columns = list(columns)
        self.set_values(self._values)

    def _make_field(self, param) -> QWidget:
        maker = {
            "int": self._int_field,
            "float": self._float_field,
            "bool": self._bool_field,
            "choice": self._choice_field,
            "path": self._path_field,
            "column": self._column_field,
            "columns": self._columns_field,
            "cell": self._cell_field,
        }.get(param.type, self._text_field)
        return maker(param)

    def _emit(self, name: str, value: Any) -> None:
        self._values[name] = value
        self.edited.emit(name, value)

    def _int_field(self, param) -> QWidget:
        box = QSpinBox(keyboardTracking=False)
        box.setRange(
            int(max(param.minimum if param.minimum is not None else -INT_LIMIT, -INT_LIMIT)),
            int(min(param.maximum if param.maximum is not None else INT_LIMIT, INT_LIMIT)),
        )
        box.valueChanged.connect(lambda value: self._emit(param.name, int(value)))
        return self._register(param, box, lambda value: box.setValue(int(value)))

    def _float_field(self, param) -> QWidget:
        box = ScientificSpinBox()
        box.setKeyboardTracking(False)
        box.setRange(
            param.minimum if param.minimum is not None else -1e12, param.maximum if param.maximum is not None else 1e12
        )
        box.valueChanged.connect(lambda value: self._emit(param.name, float(value)))
        return self._register(param, box, lambda value: box.setValue(float(value)))

    def _bool_field(self, param) -> QWidget:
        box = QCheckBox()
        box.toggled.connect(lambda checked: self._emit(param.name, bool(checked)))
        return self._register(param, box, lambda value: box.setChecked(bool(value)))

    def _choice_field(self, param) -> QWidget:
        box = compact_combo()
        box.addItems(list(param.choices))
        box.activated.connect(lambda index: self._emit(param.name, box.itemText(index)))
        return self._register(param, box, lambda value: box.setCurrentText(str(value)))

    def _text_field(self, param) -> QWidget:
        line = QLineEdit()
        line.editingFinished.connect(lambda: self._emit_if_changed(param.name, line.text()))
        return self._register(param, line, lambda value: line.setText(str(value)))

    def _cell_field(self, param) -> QWidget:
        """A drawn cell is edited in the cell editor (double-click the block), not as text."""
        label = QLabel(toolTip="Double-click the block to open its cell")
        return self._register(
            param, label, lambda cell: label.setText(f"{cell.get('name', 'cell')} (double-click the block)")
        )

    def _path_field(self, param) -> QWidget:
        field = PathField()
        field.committed.connect(lambda text: self._emit_if_changed(param.name, text))
        return self._register(param, field, lambda value: field.line.setText(str(value)))

    def _column_field(self, param) -> QWidget:
        box = compact_combo()
        box.activated.connect(lambda index: self._emit(param.name, box.itemData(index)))

        def set_column(value: str) -> None:
            box.clear()
            box.addItem("(automatic)", "")
            for name in self._columns + ([value] if value and value not in self._columns else []):
                box.addItem(name, name)
            box.setCurrentIndex(max(box.findData(value), 0))

        return self._register(param, box, set_column)

    def _columns_field(self, param) -> QWidget:
        field = ColumnsField()
        field.committed.connect(lambda names: self._emit(param.name, names))
        return self._register(param, field, lambda value: field.set_state(self._columns, list(value)))

    def _emit_if_changed(self, name: str, value: Any) -> None:
        if value != self._values.get(name):
            self._emit(name, value)

    def _register(self, param, widget: QWidget, setter: Callable[[Any], None]) -> QWidget:
        widget.installEventFilter(self._guard)
        widget.setFocusPolicy(Qt.StrongFocus)
        self._setters[param.name] = setter
        return widget
