"""The window's actions, menus and toolbar, with the shortcuts desktop users expect.

Menus are exactly: File (new (the start page), open, open recent, open example, save, save
as, quit), Edit (undo, redo, cut, copy, paste, duplicate, delete, select all), View (fit,
reset zoom, zoom in/out, auto-layout, panels), Run (empty until run controls are added) and
Help (getting started, keyboard shortcuts, block reference, about). Actions only call the window's, the editor's or the view's methods.
"""

from __future__ import annotations

from types import SimpleNamespace

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QToolBar

from .icons import action_icon


def key_sequences(*shortcuts) -> list[QKeySequence]:
    """The shortcuts as key sequences, standard keys expanded, each once: a key bound twice
    to one action makes Qt call it ambiguous and do nothing (Ctrl+Q was, as Quit and Ctrl+Q)."""
    keys: list[QKeySequence] = []
    for shortcut in shortcuts:
        expanded = (
            QKeySequence.keyBindings(shortcut)
            if isinstance(shortcut, QKeySequence.StandardKey)
            else [QKeySequence(shortcut)]
        )
        keys += [key for key in expanded if not key.isEmpty() and key not in keys]
    return keys


def _action(window: QMainWindow, text: str, slot, shortcuts=(), icon: str | None = None, tip: str = "") -> QAction:
    action = QAction(text, window)
    action.setShortcuts(key_sequences(*shortcuts))
    if icon:
        action.setIcon(action_icon(icon))
    action.setStatusTip(tip)
    action.triggered.connect(lambda checked=False: slot())
    return action


def create_actions(window) -> SimpleNamespace:
    files, editor, view = window.files, window.editor, window.view
    stack = editor.undo_stack
    undo = stack.createUndoAction(window, "&Undo")
    undo.setShortcuts(key_sequences(QKeySequence.Undo))
    undo.setIcon(action_icon("undo"))
    redo = stack.createRedoAction(window, "&Redo")
    redo.setShortcuts(key_sequences(QKeySequence.Redo, "Ctrl+Y"))
    redo.setIcon(action_icon("redo"))
    return SimpleNamespace(
        new=_action(
            window,
            "&New…",
            window.show_start_page,
            [QKeySequence.New],
            "new",
            "A blank model, one for a data file, or an example",
        ),
        open=_action(window, "&Open…", files.open_dialog, [QKeySequence.Open], "open", "Open a project file"),
        save=_action(window, "&Save", files.save, [QKeySequence.Save], "save", "Save the project"),
        save_as=_action(
            window,
            "Save &As…",
            files.save_as,
            [QKeySequence.SaveAs, "Ctrl+Shift+S"],
            tip="Save the project under a new name",
        ),
        quit=_action(window, "&Quit", window.close, [QKeySequence.Quit, "Ctrl+Q"]),
        undo=undo,
        redo=redo,
        cut=_action(window, "Cu&t", window.cut_selection, [QKeySequence.Cut]),
        copy=_action(window, "&Copy", window.copy_selection, [QKeySequence.Copy]),
        paste=_action(window, "&Paste", window.paste, [QKeySequence.Paste]),
        duplicate=_action(window, "D&uplicate", window.duplicate_selection, ["Ctrl+D"]),
        delete=_action(
            window,
            "&Delete",
            window.delete_selection,
            [QKeySequence.Delete, "Backspace"],
            "delete",
            "Delete the selected blocks and connections",
        ),
        select_all=_action(window, "Select &All", window.select_all, [QKeySequence.SelectAll]),
        fit=_action(window, "&Fit to View", view.fit_to_content, ["Home"], "fit", "Show the whole model"),
        reset_zoom=_action(window, "&Reset Zoom", view.reset_zoom, ["Ctrl+0"]),
        zoom_in=_action(window, "Zoom &In", lambda: view.set_zoom(view.zoom() * 1.25), [QKeySequence.ZoomIn, "Ctrl+="]),
        zoom_out=_action(window, "Zoom &Out", lambda: view.set_zoom(view.zoom() / 1.25), [QKeySequence.ZoomOut]),
        auto_layout=_action(
            window, "&Auto-Layout", editor.auto_layout, ["Ctrl+L"], "layout", "Arrange blocks left to right by depth"
        ),
        block_reference=_action(window, "&Block Reference", window.show_block_reference, [QKeySequence.HelpContents]),
        about=_action(window, "&About Recurrent Studio", window.show_about),
        getting_started=_action(window, "&Getting Started", window.show_getting_started),
        shortcuts=_action(window, "&Keyboard Shortcuts", window.show_shortcuts, ["Ctrl+/"]),
    )


def create_menus(window, actions: SimpleNamespace) -> SimpleNamespace:
    bar = window.menuBar()
    file_menu = bar.addMenu("&File")
    file_menu.addActions([actions.new, actions.open])
    recent = file_menu.addMenu("Open &Recent")
    recent.aboutToShow.connect(lambda: window.files.fill_recent_menu(recent))
    examples = file_menu.addMenu("Open E&xample")
    examples.aboutToShow.connect(lambda: window.files.fill_example_menu(examples))
    file_menu.addSeparator()
    file_menu.addActions([actions.save, actions.save_as])
    file_menu.addSeparator()
    file_menu.addAction(actions.quit)
    edit = bar.addMenu("&Edit")
    edit.addActions([actions.undo, actions.redo])
    edit.addSeparator()
    edit.addActions([actions.cut, actions.copy, actions.paste, actions.duplicate, actions.delete])
    edit.addSeparator()
    edit.addAction(actions.select_all)
    view = bar.addMenu("&View")
    view.addActions([actions.fit, actions.reset_zoom, actions.zoom_in, actions.zoom_out])
    view.addSeparator()
    view.addAction(actions.auto_layout)
    view.addSeparator()
    panels = view.addMenu("&Panels")
    run = bar.addMenu("&Run")
    run.menuAction().setVisible(False)  # shown when run controls are added
    help_menu = bar.addMenu("&Help")
    help_menu.addActions([actions.getting_started, actions.shortcuts, actions.block_reference])
    help_menu.addSeparator()
    help_menu.addAction(actions.about)
    return SimpleNamespace(
        file=file_menu, recent=recent, examples=examples, edit=edit, view=view, panels=panels, run=run, help=help_menu
    )


def create_toolbars(window, actions: SimpleNamespace) -> tuple[QToolBar, QToolBar]:
    main = QToolBar("Main", window, objectName="mainToolbar", movable=False)
    main.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
    main.addActions([actions.new, actions.open, actions.save])
    main.addSeparator()
    main.addActions([actions.undo, actions.redo, actions.delete])
    for action in (actions.undo, actions.redo):
        # Their text names the edit ("Undo Move 3 blocks"); on the toolbar that would make
        # the buttons jump in width, so they show the icon and keep the text as tooltip.
        main.widgetForAction(action).setToolButtonStyle(Qt.ToolButtonIconOnly)
    main.addSeparator()
    main.addActions([actions.auto_layout, actions.fit])
    window.addToolBar(main)
    run = QToolBar("Run", window, objectName="runToolbar", movable=False)
    run.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
    run.hide()  # shown when run controls are added
    window.addToolBar(run)
    return main, run


def fill_action_menu(menu: QMenu, entries, empty_text: str) -> None:
    """Replace `menu`'s entries with (text, slot) pairs, or one disabled `empty_text`."""
    menu.clear()
    for text, slot in entries:
        menu.addAction(text).triggered.connect(lambda checked=False, s=slot: s())
    if not entries:
        menu.addAction(empty_text).setEnabled(False)
