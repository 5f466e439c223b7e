"""The problems panel: every current diagnostic (and a data problem, if any) in a list.
Clicking one asks the window to select and centre its node. A problem the engine knows how
to fix (engine.fixes) lists its fixes under it; clicking a fix applies it.
"""

from __future__ import annotations

import re

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem

from . import theme

_NODE_ROLE = Qt.UserRole
_FIX_ROLE = Qt.UserRole + 1
MAX_FIXED_PROBLEMS = 10  # fixes are tried on copies of the graph: bound the work per edit


def _dot(severity: str) -> QIcon:
    pixmap = QPixmap(24, 24)
    pixmap.fill(Qt.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.Antialiasing)
    painter.setPen(Qt.NoPen)
    painter.setBrush(QColor(theme.COLORS[severity]))
    painter.drawEllipse(6, 6, 12, 12)
    painter.end()
    pixmap.setDevicePixelRatio(2.0)
    return QIcon(pixmap)


class ProblemsPanel(QTreeWidget):
    node_activated = Signal(str)  # the id of the node a clicked problem concerns
    fix_chosen = Signal(object)  # an engine.fixes.Fix the user clicked

    def __init__(self, parent=None, where: str = "Block", ok_text: str = "No problems: the model is ready to train."):
        super().__init__(parent)
        self.setObjectName("problems")
        self.ok_text = ok_text
        self.setColumnCount(2)
        self.setHeaderLabels([where, "Problem"])
        self.setRootIsDecorated(False)
        self.setUniformRowHeights(True)
        self.setAlternatingRowColors(True)
        self.setColumnWidth(0, 110)
        self._icons = {severity: _dot(severity) for severity in ("error", "warning", "ok")}
        self.itemClicked.connect(self._on_clicked)
        self.itemActivated.connect(self._on_clicked)

    def show_analysis(self, analysis, data_problem: str | None, fixes_for=None) -> None:
        """List the problems; `fixes_for(diagnostic)` gives the fixes to list under each."""
        self.clear()
        if data_problem:
            self._add("error", "data settings", data_problem, None)
        order = {"error": 0, "warning": 1}
        for index, diagnostic in enumerate(sorted(analysis.diagnostics, key=lambda d: order.get(d.severity, 2))):
            item = self._add(
                diagnostic.severity,
                diagnostic.node or "model",
                _without_block_name(diagnostic),
                diagnostic.node,
                diagnostic.message,
            )
            if fixes_for is not None and index < MAX_FIXED_PROBLEMS:
                self._add_fixes(item, fixes_for(diagnostic))
        if self.topLevelItemCount() == 0:
            item = self._add("ok", "", self.ok_text, None)
            item.setFlags(Qt.ItemIsEnabled)

    def _add(
        self, severity: str, where: str, message: str, node_id: str | None, full_message: str | None = None
    ) -> QTreeWidgetItem:
        item = QTreeWidgetItem(self, [where, message])
        item.setIcon(0, self._icons[severity])
        item.setToolTip(1, full_message or message)
        item.setData(0, _NODE_ROLE, node_id)
        return item

    def _add_fixes(self, problem: QTreeWidgetItem, fixes: list) -> None:
        for fix in fixes:
            child = QTreeWidgetItem(problem, ["", f"Fix: {fix.title}"])
            child.setToolTip(1, "Click to apply this fix (one undoable step)")
            child.setData(0, _FIX_ROLE, fix)
            child.setForeground(1, QColor(theme.COLORS["accent"]))
        problem.setExpanded(bool(fixes))

    def fix_items(self) -> list[QTreeWidgetItem]:
        items = [self.topLevelItem(i) for i in range(self.topLevelItemCount())]
        return [item.child(j) for item in items for j in range(item.childCount())]

    def _on_clicked(self, item: QTreeWidgetItem) -> None:
        fix = item.data(0, _FIX_ROLE)
        if fix is not None:
            self.fix_chosen.emit(fix)
            return
        node_id = item.data(0, _NODE_ROLE)
        if node_id:
            self.node_activated.emit(node_id)


def _without_block_name(diagnostic) -> str:
    """The message without its leading "LSTM 'memory'", which the Block column shows."""
    if diagnostic.node is None:
        return diagnostic.message
    return re.sub(rf"\A\w+ '{re.escape(diagnostic.node)}'(: | )", "", diagnostic.message)
