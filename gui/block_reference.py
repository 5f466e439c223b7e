"""Help → Block reference: every block type with its ports and parameters, from the catalogue."""

from __future__ import annotations

import json
from html import escape

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from engine.blocks import CATALOGUE, CATEGORIES
from engine.blocks.categories import CATEGORY_COLOURS


def reference_html() -> str:
    parts = []
    for category in CATEGORIES:
        parts.append(f"<h2 style='color:{CATEGORY_COLOURS[category]}'>{category}</h2>")
        parts += [_block_html(spec) for spec in CATALOGUE.values() if spec.category == category]
    return "".join(parts)


def _block_html(spec) -> str:
    ports = [
        f"<li>input <b>{p.name}</b>: {' or '.join(p.kinds)}{' — ' + escape(p.help) if p.help else ''}</li>"
        for p in spec.inputs
    ]
    if spec.output is not None:
        ports.append(f"<li>output <b>{spec.output.name}</b>: {' or '.join(spec.output.kinds)}</li>")
    params = [
        f"<li><b>{p.name}</b> ({_param_type(p)}, default {escape(json.dumps(p.default))}): {escape(p.help)}</li>"
        for p in spec.params
    ]
    return (
        f"<h3><a name='{spec.type_name}'></a>{spec.type_name}</h3><p>{escape(spec.description)}</p><p><i>Ports</i></p><ul>{''.join(ports)}</ul>"
        + (f"<p><i>Parameters</i></p><ul>{''.join(params)}</ul>" if params else "")
    )


def _param_type(param) -> str:
    if param.type == "choice":
        return "one of " + ", ".join(param.choices)
    if param.minimum is not None or param.maximum is not None:
        low = "" if param.minimum is None else f"{param.minimum:g}"
        high = "" if param.maximum is None else f"{param.maximum:g}"
        return f"{param.type}, {low}…{high}"
    return param.type


class BlockReferenceDialog(QDialog):
    def __init__(self, parent: QWidget | None = None, block: str | None = None):
        super().__init__(parent)
        self.setWindowTitle("Block reference")
        self.resize(640, 720)
        self.browser = browser = QTextBrowser()
        browser.setHtml(reference_html())
        if block:
            QTimer.singleShot(0, lambda: browser.scrollToAnchor(block))  # a block's Help opens at its entry
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(browser)
        layout.addWidget(buttons)
