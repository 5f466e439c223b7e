"""Right-click menus on the canvas and the palette.

- a block: Open Cell… (a recurrent block: its inside, in the cell editor), Rename…, Duplicate,
  Delete, Disconnect All, Help
- a wire: Delete, Insert Block Here ▸ (the blocks that fit in it, from engine.fixes.insertion)
- a port: Connect To ▸ (every port of the graph it may connect to now)
- empty canvas: Add Block Here ▸ with a search field
- a palette block: Add to Canvas, Help
Every entry calls the editor or the window; `menu_at(scene_pos)` builds the menu for what is
under a point (tests trigger its actions by their text).
"""

from __future__ import annotations

from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QGraphicsItem, QInputDialog, QLineEdit, QMenu, QWidgetAction

from engine.blocks import CATALOGUE, CATEGORIES
from engine.fixes import insertion
from engine.graph import Edge

from .block_reference import BlockReferenceDialog
from .canvas.edge_item import EdgeItem
from .canvas.node_item import NodeItem
from .canvas.port_item import OUTPUT, PortItem
from .cell_editor.opening import can_open_cell, open_from_window


class ContextMenus:
    def __init__(self, window):
        self.window = window

    @property
    def editor(self):
        return self.window.editor

    def menu_at(self, scene_pos: QPointF) -> QMenu:
        item = self._item_at(scene_pos)
        if isinstance(item, PortItem):
            return self.port_menu(item)
        if isinstance(item, NodeItem):
            return self.node_menu(item.node_id)
        if isinstance(item, EdgeItem):
            return self.edge_menu(item.edge)
        return self.canvas_menu(scene_pos)

    def _item_at(self, scene_pos: QPointF) -> QGraphicsItem | None:
        for item in self.window.scene.items(scene_pos):
            while item is not None and not isinstance(item, (PortItem, NodeItem, EdgeItem)):
                item = item.parentItem()  # a node's badge or label: the node
            if item is not None:
                return item
        return None

    # -- menus --------------------------------------------------------------------------
    def node_menu(self, node_id: str) -> QMenu:
        window, editor = self.window, self.editor
        menu = QMenu(window)
        if can_open_cell(editor.document.node(node_id).type_name):
            menu.addAction("Open Cell…", lambda: open_from_window(window, node_id))
            menu.addSeparator()
        menu.addAction("Rename…", lambda: self.rename(node_id))
        menu.addAction("Duplicate", lambda: editor.duplicate([node_id]))
        menu.addAction("Delete", lambda: editor.delete([node_id]))
        wires = editor.document.incoming(node_id) + editor.document.outgoing(node_id)
        menu.addAction("Disconnect All", lambda: editor.disconnect_all(node_id)).setEnabled(bool(wires))
        menu.addSeparator()
        type_name = editor.document.node(node_id).type_name
        menu.addAction(f"Help on {type_name}", lambda: self.show_help(type_name))
        return menu

    def edge_menu(self, edge: Edge) -> QMenu:
        menu = QMenu(self.window)
        menu.addAction("Delete", lambda: self.editor.disconnect(edge))
        insert = menu.addMenu("Insert Block Here")
        fits = [(name, insertion(self.editor.document, edge, name)) for name in CATALOGUE]
        for name, fix in fits:
            if fix is not None:
                insert.addAction(name, lambda f=fix: self.editor.apply_fix(f))
        insert.setEnabled(not insert.isEmpty())
        return menu

    def port_menu(self, port: PortItem) -> QMenu:
        menu = QMenu(self.window)
        connect = menu.addMenu("Connect To")
        for edge in self.compatible_edges(port):
            far, far_port = (edge.target, edge.target_port) if port.direction == OUTPUT else (edge.source, "out")
            connect.addAction(f"'{far}' {far_port}", lambda e=edge: self.editor.connect_ports(e))
        if connect.isEmpty():
            connect.addAction("No port accepts this connection now").setEnabled(False)
        return menu

    def compatible_edges(self, port: PortItem) -> list[Edge]:
        doc = self.editor.document
        if port.direction == OUTPUT:
            candidates = [
                Edge(port.node_id, port.name, node.id, p.name) for node in doc.nodes() for p in node.spec.inputs
            ]
        else:
            candidates = [
                Edge(node.id, node.spec.output.name, port.node_id, port.name)
                for node in doc.nodes()
                if node.spec.output is not None
            ]
        return [edge for edge in candidates if edge.source != edge.target and doc.connection_problem(edge) is None]

    def canvas_menu(self, scene_pos: QPointF) -> QMenu:
        menu = QMenu(self.window)
        add = menu.addMenu("Add Block Here")
        search = QLineEdit(placeholderText="Search blocks…", clearButtonEnabled=True)
        field = QWidgetAction(add)
        field.setDefaultWidget(search)
        add.addAction(field)
        actions = []
        for category in CATEGORIES:
            add.addSection(category)
            for spec in (s for s in CATALOGUE.values() if s.category == category):
                action = add.addAction(spec.type_name, lambda t=spec.type_name: self.window.add_block_at(t, scene_pos))
                action.setToolTip(spec.description)
                actions.append((action, f"{spec.type_name} {spec.description} {category}".lower()))
        search.textChanged.connect(lambda text: _filter(actions, text))
        add.aboutToShow.connect(search.setFocus)
        return menu

    # -- entries ------------------------------------------------------------------------
    def rename(self, node_id: str) -> None:
        new_id, ok = QInputDialog.getText(self.window, "Rename block", "New name:", text=node_id)
        if ok and new_id and new_id != node_id:
            problem = self.editor.rename_node(node_id, new_id)
            if problem:
                self.window.show_message(f"Cannot rename: {problem}")

    def show_help(self, type_name: str) -> None:
        dialog = BlockReferenceDialog(self.window, type_name)
        dialog.setObjectName("blockHelp")
        dialog.open()

    def palette_menu(self, type_name: str) -> QMenu:
        menu = QMenu(self.window)
        menu.addAction("Add to Canvas", lambda: self.window.add_block_in_view(type_name))
        menu.addAction(f"Help on {type_name}", lambda: self.show_help(type_name))
        return menu


def _filter(actions, text: str) -> None:
    words = text.lower().split()
    for action, haystack in actions:
        action.setVisible(all(word in haystack for word in words))
