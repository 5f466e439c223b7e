"""The block palette: every block type by category, with a search field and a one-line
description. Drag a block onto the canvas, or double-click it to add it in the middle.
"""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QModelIndex, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QFontMetrics, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QLineEdit,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engine.blocks import CATALOGUE, CATEGORIES

from . import theme
from .canvas.view import BLOCK_MIME_TYPE
from .cell_editor.cell_list import CellList
from .cell_editor.opening import library_folder
from .icons import block_pixmap

_TYPE_ROLE = Qt.UserRole
_DESCRIPTION_ROLE = Qt.UserRole + 1


class BlockTree(QTreeWidget):
    """The tree itself; its mimeData carries the block type for the canvas's drop target."""

    def mimeTypes(self) -> list[str]:
        return [BLOCK_MIME_TYPE]

    def mimeData(self, items) -> QMimeData:
        mime = QMimeData()
        type_names = [item.data(0, _TYPE_ROLE) for item in items if item.data(0, _TYPE_ROLE)]
        if type_names:
            mime.setData(BLOCK_MIME_TYPE, type_names[0].encode("utf-8"))
            mime.setText(type_names[0])
        return mime


class BlockDelegate(QStyledItemDelegate):
    """Block rows: the category tile, the name, and the description elided on a second line."""

    ROW_HEIGHT = 44

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:
        if not index.data(_TYPE_ROLE):
            return QSize(option.rect.width(), 30)
        return QSize(option.rect.width(), self.ROW_HEIGHT)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        type_name = index.data(_TYPE_ROLE)
        if not type_name:
            self._paint_category(painter, option, index)
            return
        painter.save()
        self._paint_background(painter, option)
        rect = option.rect
        painter.drawPixmap(rect.left() + 6, rect.top() + 8, block_pixmap(type_name, 28))
        text_left = rect.left() + 44
        width = rect.right() - text_left - 6
        bold = option.font
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(theme.color("text"))
        painter.drawText(QRect(text_left, rect.top() + 5, width, 18), Qt.AlignLeft | Qt.AlignVCenter, type_name)
        small = option.font
        small.setBold(False)
        small.setPointSizeF(option.font.pointSizeF() - 1)
        painter.setFont(small)
        painter.setPen(theme.color("text_dim"))
        description = QFontMetrics(small).elidedText(index.data(_DESCRIPTION_ROLE), Qt.ElideRight, width)
        painter.drawText(QRect(text_left, rect.top() + 23, width, 16), Qt.AlignLeft | Qt.AlignVCenter, description)
        painter.restore()

    @staticmethod
    def _paint_background(painter: QPainter, option: QStyleOptionViewItem) -> None:
        if option.state & QStyle.State_Selected:
            painter.fillRect(option.rect, theme.color("selection"))
        elif option.state & QStyle.State_MouseOver:
            painter.fillRect(option.rect, theme.color("raised"))

    @staticmethod
    def _paint_category(painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        painter.save()
        rect = option.rect
        category = index.data(Qt.DisplayRole)
        painter.setPen(Qt.NoPen)
        painter.setBrush(theme.category_color(category))
        painter.drawRoundedRect(QRect(rect.left() + 8, rect.top() + 11, 8, 8), 2, 2)
        font = option.font
        font.setBold(True)
        font.setCapitalization(font.Capitalization.AllUppercase)
        font.setLetterSpacing(font.SpacingType.PercentageSpacing, 108)
        font.setPointSizeF(option.font.pointSizeF() - 1)
        painter.setFont(font)
        painter.setPen(theme.color("text_dim"))
        painter.drawText(rect.adjusted(24, 0, 0, 0), Qt.AlignLeft | Qt.AlignVCenter, category)
        painter.restore()


class BlockPalette(QWidget):
    block_activated = Signal(str)  # double-click or Enter on a block: add it to the canvas
    context_menu_requested = Signal(str, QPoint)  # block type, screen position

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.search = QLineEdit(placeholderText="Search blocks…", clearButtonEnabled=True)
        self.search.textChanged.connect(self._filter)
        self.tree = BlockTree()
        self._setup_tree()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(6)
        layout.addWidget(self.search)
        layout.addWidget(self.tree, 3)  # the blocks get most of the height, the cells the rest
        self.cells = CellList(library_folder())  # drawn cells: templates and the user's library
        layout.addWidget(
            QLabel("Drawn cells: double-click one to add it as a Custom cell", objectName="dim", wordWrap=True)
        )
        layout.addWidget(self.cells, 1)

    def _setup_tree(self) -> None:
        tree = self.tree
        tree.setObjectName("palette")
        tree.setHeaderHidden(True)
        tree.setRootIsDecorated(False)
        tree.setIndentation(0)
        tree.setItemDelegate(BlockDelegate(tree))
        tree.setDragEnabled(True)
        tree.setDragDropMode(QAbstractItemView.DragOnly)
        tree.setMouseTracking(True)
        tree.setUniformRowHeights(False)
        for category in CATEGORIES:
            group = QTreeWidgetItem(tree, [category])
            group.setFlags(Qt.ItemIsEnabled)
            for spec in (s for s in CATALOGUE.values() if s.category == category):
                item = QTreeWidgetItem(group, [spec.type_name])
                item.setData(0, _TYPE_ROLE, spec.type_name)
                item.setData(0, _DESCRIPTION_ROLE, spec.description)
                item.setToolTip(0, f"<b>{spec.type_name}</b><br>{spec.description}<br><i>Drag onto the canvas.</i>")
                item.setFlags(Qt.ItemIsEnabled | Qt.ItemIsSelectable | Qt.ItemIsDragEnabled)
        tree.expandAll()
        tree.itemActivated.connect(self._on_activated)
        tree.setContextMenuPolicy(Qt.CustomContextMenu)
        tree.customContextMenuRequested.connect(self._on_context_menu)

    def _on_activated(self, item: QTreeWidgetItem) -> None:
        if item.data(0, _TYPE_ROLE):
            self.block_activated.emit(item.data(0, _TYPE_ROLE))

    def _on_context_menu(self, pos) -> None:
        item = self.tree.itemAt(pos)
        if item is not None and item.data(0, _TYPE_ROLE):
            self.context_menu_requested.emit(item.data(0, _TYPE_ROLE), self.tree.viewport().mapToGlobal(pos))

    def _filter(self, text: str) -> None:
        words = text.lower().split()
        for group_index in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(group_index)
            shown = 0
            for index in range(group.childCount()):
                item = group.child(index)
                haystack = f"{item.data(0, _TYPE_ROLE)} {item.data(0, _DESCRIPTION_ROLE)} {group.text(0)}".lower()
                item.setHidden(not all(word in haystack for word in words))
                shown += not item.isHidden()
            group.setHidden(shown == 0)

    def item_for(self, type_name: str) -> QTreeWidgetItem:
        for item in self._block_items():
            if item.data(0, _TYPE_ROLE) == type_name:
                return item
        raise KeyError(type_name)

    def visible_block_types(self) -> list[str]:
        return [item.data(0, _TYPE_ROLE) for item in self._block_items() if not item.isHidden()]

    def mime_data_for(self, type_name: str) -> QMimeData:
        """What dragging `type_name` out of the palette carries."""
        return self.tree.mimeData([self.item_for(type_name)])

    def _block_items(self):
        for group_index in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(group_index)
            for index in range(group.childCount()):
                yield group.child(index)
