"""A node card: header with icon, name and block type; port rows; a footer with the
inferred output shape and parameter count; an error badge when validation complains.

Items are drawn from the document and the latest analysis only. Painting is cached per
item (DeviceCoordinateCache) and simplified when zoomed far out, so large graphs pan
and zoom smoothly.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from engine.blocks import Shape
from engine.graph import Node

from .. import theme
from ..icons import block_pixmap
from .geometry import (
    CORNER_RADIUS,
    FOOTER_HEIGHT,
    HEADER_HEIGHT,
    NODE_WIDTH,
    ROW_HEIGHT,
    input_port_y,
    node_height,
    output_port_y,
)
from .hover import HoverHighlight
from .port_item import INPUT, OUTPUT, PortItem

# Below this zoom the text is unreadable anyway; draw only the cards.
_TEXT_MIN_DETAIL = 0.4


@cache
def _font(size: float, bold: bool = False, mono: bool = False) -> QFont:
    font = QFont("DejaVu Sans Mono" if mono else QFont().family())
    if mono:
        font.setStyleHint(QFont.Monospace)
    font.setPointSizeF(size)
    font.setBold(bold)
    return font


def _mix(a: QColor, b: QColor, share_of_a: float) -> QColor:
    mix = lambda x, y: round(x * share_of_a + y * (1 - share_of_a))  # noqa: E731
    return QColor(mix(a.red(), b.red()), mix(a.green(), b.green()), mix(a.blue(), b.blue()))


class BadgeItem(QGraphicsItem):
    """The red (error) or amber (warning) mark on a node; its tooltip is the diagnostic."""

    RADIUS = 8.0

    def __init__(self, parent: QGraphicsItem):
        super().__init__(parent)
        self.severity = "error"
        self.setCacheMode(QGraphicsItem.DeviceCoordinateCache)
        self.hide()

    def show_messages(self, severity: str, messages: list[str]) -> None:
        self.severity = severity
        self.setToolTip("\n".join(messages))
        self.setVisible(bool(messages))
        self.update()

    def boundingRect(self) -> QRectF:
        r = self.RADIUS + 1
        return QRectF(-r, -r, 2 * r, 2 * r)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        painter.setRenderHint(QPainter.Antialiasing)
        painter.setPen(QPen(theme.color("node_body"), 1.5))
        painter.setBrush(theme.color(self.severity))
        painter.drawEllipse(QPointF(0, 0), self.RADIUS, self.RADIUS)
        painter.setPen(QColor("#ffffff"))
        painter.setFont(_font(8.5, bold=True))
        painter.drawText(self.boundingRect(), Qt.AlignCenter, "!")


class NodeItem(HoverHighlight, QGraphicsItem):
    def __init__(self, node: Node):
        super().__init__()
        self.node_id, self.spec = node.id, node.spec
        self.edges: set = set()  # EdgeItems to re-route when this node moves
        self._height = node_height(self.spec)
        self._shape_text, self._shape_kind, self._param_text = "shape not known yet", None, ""
        self._hovered = False
        self.setFlags(
            QGraphicsItem.ItemIsMovable | QGraphicsItem.ItemIsSelectable | QGraphicsItem.ItemSendsGeometryChanges
        )
        self.setCacheMode(QGraphicsItem.DeviceCoordinateCache)
        self.setAcceptHoverEvents(True)
        self.setPos(*node.position)
        self.inputs = {port.name: PortItem(node.id, port, INPUT, self) for port in self.spec.inputs}
        for index, port_item in enumerate(self.inputs.values()):
            port_item.setPos(0.0, input_port_y(index))
        self.output = PortItem(node.id, self.spec.output, OUTPUT, self) if self.spec.output else None
        if self.output:
            self.output.setPos(NODE_WIDTH, output_port_y())
        self.badge = BadgeItem(self)
        self.badge.setPos(NODE_WIDTH - 15, 15)
        self.setToolTip(f"<b>{self.spec.type_name}</b><br>{self.spec.description}")

    @property
    def shape_text(self) -> str:
        """The footer's first line: the inferred output shape (or what a head predicts)."""
        return self._shape_text

    @property
    def param_text(self) -> str:
        return self._param_text

    def ports(self) -> list[PortItem]:
        return list(self.inputs.values()) + ([self.output] if self.output else [])

    def show_ports(self, shown: bool) -> None:
        """Hidden when zoomed far out: hundreds of specks cost a paint call each per frame."""
        for port in self.ports():
            port.setVisible(shown)

    def rename(self, new_id: str) -> None:
        self.node_id = new_id
        for port in self.ports():
            port.node_id = new_id
        self.update()

    def set_analysis(
        self,
        output: Shape | None,
        inputs: dict[str, Shape],
        param_count: int | None,
        diagnostics: list,
        head_text: str | None,
    ) -> None:
        """Show what validation found; repaints only when something visible changed."""
        for name, port in self.inputs.items():
            port.set_inferred_shape(inputs.get(name))
        if self.output:
            self.output.set_inferred_shape(output)
        shown = (self._footer_texts(output, head_text), self._param_words(param_count))
        if shown != ((self._shape_text, self._shape_kind), self._param_text):
            (self._shape_text, self._shape_kind), self._param_text = shown
            self.update()
        self._show_diagnostics(diagnostics)

    def _footer_texts(self, output: Shape | None, head_text: str | None) -> tuple[str, str | None]:
        if self.output is None:
            return (head_text or "output not known yet"), None
        if output is None:
            return "shape not known yet", None
        return output.brief(), output.kind  # the kind is the dot colour

    @staticmethod
    def _param_words(count: int | None) -> str:
        if count is None:
            return "parameters: —"
        return "no parameters" if count == 0 else f"{count:,} parameters"

    def _show_diagnostics(self, diagnostics: list) -> None:
        errors = [d.message for d in diagnostics if d.severity == "error"]
        warnings = [d.message for d in diagnostics if d.severity != "error"]
        was_visible = self.badge.isVisible()
        self.badge.show_messages("error" if errors else "warning", errors + warnings)
        if self.badge.isVisible() != was_visible:
            self.update()  # the name's room depends on the badge

    def boundingRect(self) -> QRectF:
        return QRectF(-2, -2, NODE_WIDTH + 4, self._height + 4)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        painter.setRenderHint(QPainter.Antialiasing)
        card = QRectF(0, 0, NODE_WIDTH, self._height)
        self._paint_card(painter, card)
        if option.levelOfDetailFromTransform(painter.worldTransform()) < _TEXT_MIN_DETAIL:
            return
        self._paint_header(painter)
        self._paint_port_labels(painter)
        self._paint_footer(painter, card)

    def _paint_card(self, painter: QPainter, card: QRectF) -> None:
        category = theme.category_color(self.spec.category)
        body = theme.color("node_body")
        painter.setPen(Qt.NoPen)
        painter.setBrush(body)
        painter.drawRoundedRect(card, CORNER_RADIUS, CORNER_RADIUS)
        header = QPainterPath()
        header.addRoundedRect(card, CORNER_RADIUS, CORNER_RADIUS)
        painter.save()
        painter.setClipRect(QRectF(0, 0, NODE_WIDTH, HEADER_HEIGHT))
        painter.setBrush(_mix(category, body, 0.42))
        painter.drawPath(header)
        painter.restore()
        painter.setBrush(Qt.NoBrush)
        painter.setPen(self._outline_pen(category))
        painter.drawRoundedRect(card, CORNER_RADIUS, CORNER_RADIUS)

    def _outline_pen(self, category: QColor) -> QPen:
        if self.isSelected():
            return QPen(theme.color("accent"), 2.2)
        if self._hovered:
            return QPen(category.lighter(130), 1.5)
        return QPen(_mix(category, theme.color("border"), 0.35), 1.2)

    def _paint_header(self, painter: QPainter) -> None:
        painter.drawPixmap(QPointF(10, 9), block_pixmap(self.spec.type_name, 24))
        text_width = NODE_WIDTH - 44 - (22 if self.badge.isVisible() else 8)
        name_font, type_font = _font(9.5, bold=True), _font(8)
        painter.setFont(name_font)
        painter.setPen(theme.color("text"))
        name = QFontMetricsF(name_font).elidedText(self.node_id, Qt.ElideRight, text_width)
        painter.drawText(QRectF(42, 5, text_width, 18), Qt.AlignLeft | Qt.AlignVCenter, name)
        painter.setFont(type_font)
        painter.setPen(_mix(theme.color("text"), theme.category_color(self.spec.category), 0.6))
        painter.drawText(QRectF(42, 21, text_width, 15), Qt.AlignLeft | Qt.AlignVCenter, self.spec.type_name)

    def _paint_port_labels(self, painter: QPainter) -> None:
        painter.setFont(_font(8))
        painter.setPen(theme.color("text_dim"))
        for index, name in enumerate(self.inputs):
            row = QRectF(14, input_port_y(index) - ROW_HEIGHT / 2, NODE_WIDTH / 2, ROW_HEIGHT)
            painter.drawText(row, Qt.AlignLeft | Qt.AlignVCenter, name)
        if self.output:
            row = QRectF(NODE_WIDTH / 2, output_port_y() - ROW_HEIGHT / 2, NODE_WIDTH / 2 - 14, ROW_HEIGHT)
            painter.drawText(row, Qt.AlignRight | Qt.AlignVCenter, self.output.name)

    def _paint_footer(self, painter: QPainter, card: QRectF) -> None:
        top = card.bottom() - FOOTER_HEIGHT
        painter.setPen(QPen(theme.color("border"), 1.0))
        painter.drawLine(QPointF(1, top), QPointF(NODE_WIDTH - 1, top))
        x = 12.0
        if self._shape_kind:
            painter.setPen(Qt.NoPen)
            painter.setBrush(QColor(theme.PORT_KIND_COLORS[self._shape_kind]))
            painter.drawEllipse(QPointF(x + 3, top + 12), 3.5, 3.5)
            x += 12
        font = _font(8, mono=True)
        painter.setFont(font)
        painter.setPen(theme.color("text") if self._shape_kind else theme.color("text_dim"))
        text = QFontMetricsF(font).elidedText(self._shape_text, Qt.ElideRight, NODE_WIDTH - x - 10)
        painter.drawText(QRectF(x, top + 4, NODE_WIDTH - x - 10, 16), Qt.AlignLeft | Qt.AlignVCenter, text)
        painter.setFont(_font(8))
        painter.setPen(theme.color("text_dim"))
        painter.drawText(QRectF(12, top + 20, NODE_WIDTH - 24, 16), Qt.AlignLeft | Qt.AlignVCenter, self._param_text)

    def itemChange(self, change, value):
        if change == QGraphicsItem.ItemPositionHasChanged:
            for edge in self.edges:
                edge.adjust()
        elif change == QGraphicsItem.ItemSelectedHasChanged:
            self.setZValue(1.0 if value else 0.0)
        return super().itemChange(change, value)
