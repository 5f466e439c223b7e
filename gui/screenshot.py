"""`python -m gui.screenshot PROJECT OUT.png [--select NODE] [--size 1400x900] [--hide PANELS]
[--train STEPS] [--refuse SOURCE:TARGET]`

Renders the main window with PROJECT open into a PNG: for the README and for looking at
the window without a display. Offscreen unless QT_QPA_PLATFORM says otherwise (the README's
pictures are taken on the real xcb window under Xvfb). `--train` trains STEPS steps in the
window first and shows the loss; `--refuse` drops a wire from SOURCE's output on TARGET's
first input, as a user would, so a refused wire's fix-it strip shows. Settings and runs go
to a throwaway folder.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

# Before Qt loads: a screenshot needs no display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings, Qt  # noqa: E402
from PySide6.QtWidgets import QApplication, QDockWidget  # noqa: E402

from engine.project import Project, ProjectFileError, load_project  # noqa: E402

from .app import create_application  # noqa: E402
from .main_window import MainWindow  # noqa: E402
from .settings import AppSettings  # noqa: E402


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m gui.screenshot", description=__doc__.splitlines()[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--select", help="id of a node to select (the inspector shows it)")
    parser.add_argument("--size", default="1400x900", help="window size, WIDTHxHEIGHT")
    parser.add_argument("--hide", default="", help="comma-separated titles of panels to hide, e.g. 'Loss,Gates'")
    parser.add_argument("--train", type=int, default=0, help="train this many steps first and show the loss")
    parser.add_argument("--refuse", default="", help="SOURCE:TARGET, a wire to try (and see refused with fixes)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        project = load_project(args.project)
    except ProjectFileError as error:
        print(error, file=sys.stderr)
        return 1
    create_application()
    with tempfile.TemporaryDirectory() as scratch:
        window = MainWindow(AppSettings(QSettings(str(Path(scratch) / "settings.ini"), QSettings.IniFormat)))
        args.scratch = Path(scratch)
        saved = render(window, project, args)
        window.editor.mark_saved()
        window.close()
    return 0 if saved else 1


def render(window: MainWindow, project: Project, args: argparse.Namespace) -> bool:
    width, height = (int(v) for v in args.size.lower().split("x"))
    window.resize(width, height)
    window.show()
    _hide_panels(window, [title.strip() for title in args.hide.split(",") if title.strip()])
    window.editor.set_project(project)
    QApplication.processEvents()
    window.view.fit_to_content()
    if args.select:
        window.scene.select_nodes([args.select])
    QApplication.processEvents()
    if args.train:
        _train(window, args.train, args.scratch / "runs")
    if args.refuse:
        _refuse(window, *args.refuse.split(":"))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    return window.grab().save(str(args.out))


def _wait(seconds: float, until=lambda: False) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not until():
        QApplication.processEvents()
        time.sleep(0.01)


def _train(window: MainWindow, steps: int, runs: Path) -> None:
    session = window.training.session
    window.project.training["steps"] = steps
    window.training.project_runs.root = runs  # not beside the example
    window.training.controls.start_training()
    _wait(600, lambda: not session.running)
    window.training.layout_mode.set_enabled(True)  # View ▸ Training Layout: the plots get the room
    _wait(0.2)
    window.view.fit_to_content()
    window.training.docks["loss"].raise_()
    window.training.docks["gradient"].raise_()
    _wait(1.0)  # the plots redraw on their timer


def _refuse(window: MainWindow, source: str, target: str) -> None:
    from engine.graph import Edge

    edge = Edge(source, "out", target, window.editor.document.node(target).spec.inputs[0].name)
    window.offer_fixes(edge, window.editor.connection_problem(edge) or "")
    _wait(0.3)


def _hide_panels(window: MainWindow, titles: list[str]) -> None:
    QApplication.processEvents()  # panels may arrange themselves once the window is up
    docks = window.findChildren(QDockWidget)
    for dock in docks:
        if dock.windowTitle() in titles:
            dock.hide()
    shown_below = [d for d in docks if d.isVisible() and window.dockWidgetArea(d) == Qt.BottomDockWidgetArea]
    if shown_below:
        window.resizeDocks(shown_below[:1], [170], Qt.Vertical)


if __name__ == "__main__":
    sys.exit(main())
