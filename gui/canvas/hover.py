"""Hover highlighting shared by canvas items: they repaint brighter under the mouse."""

from __future__ import annotations


class HoverHighlight:
    """Mix into a QGraphicsItem (before the Qt base) that reads `self._hovered` when painting
    and calls setAcceptHoverEvents(True)."""

    _hovered = False

    def hoverEnterEvent(self, event) -> None:
        self._hovered = True
        self.update()

    def hoverLeaveEvent(self, event) -> None:
        self._hovered = False
        self.update()
