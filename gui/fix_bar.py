"""FixBar: a strip over the top of the canvas that says why a wire was refused and offers
the engine's fixes (engine.fixes) as buttons; one click applies a fix as one undoable step.

It floats over the view (a child of it, not a layout member), so showing it never moves the
canvas under the user's mouse. Any other edit, Escape or its close button hides it.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton, QVBoxLayout, QWidget

MAX_FIXES = 3
MARGIN = 8


class FixBar(QFrame):
    def __init__(self, view: QWidget, apply: Callable[[object], None]):
        super().__init__(view)
        self.setObjectName("fixBar")
        self.setFrameShape(QFrame.StyledPanel)
        self.setAutoFillBackground(True)
        self._apply = apply
        self.message = QLabel(wordWrap=True, textInteractionFlags=Qt.TextSelectableByMouse)
        self.buttons: list[QPushButton] = []
        self._row = QVBoxLayout()  # one fix a line: their titles are sentences
        self._row.setContentsMargins(0, 4, 0, 0)
        self._row.setSpacing(4)
        close = QToolButton(text="✕", toolTip="Dismiss (Esc)", autoRaise=True)
        close.clicked.connect(self.hide)
        top = QHBoxLayout()
        top.addWidget(self.message, 1)
        top.addWidget(close, 0, Qt.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 8)
        layout.addLayout(top)
        layout.addLayout(self._row)
        self.hide()

    def offer(self, message: str, fixes: list) -> None:
        """Show `message` and a button per fix (the first few; they come best first)."""
        for button in self.buttons:
            button.deleteLater()
        self.buttons = []
        shown = fixes[:MAX_FIXES]
        self.message.setText(f"<b>Cannot connect:</b> {message}" + ("" if shown else "<br>No automatic fix applies."))
        for fix in shown:
            button = QPushButton(fix.title, toolTip="Apply this fix (one undoable step)")
            button.clicked.connect(lambda checked=False, f=fix: self._choose(f))
            self._row.addWidget(button, 0, Qt.AlignLeft)
            self.buttons.append(button)
        self._place()
        self.show()
        self.raise_()

    def _choose(self, fix) -> None:
        self.hide()
        self._apply(fix)

    def _place(self) -> None:
        width = max(300, self.parentWidget().width() - 2 * MARGIN)
        self.setFixedWidth(width)
        self.setFixedHeight(self.layout().totalHeightForWidth(width))  # every wrapped line shows
        self.move(MARGIN, MARGIN)

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key_Escape:
            self.hide()
        else:
            super().keyPressEvent(event)
