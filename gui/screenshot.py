"""`python -m gui.screenshot PROJECT OUT.png [--select NODE] [--size 1400x900]`

Renders the main window with PROJECT open, offscreen, into a PNG: for the README and for
looking at the window without a display. Settings go to a throwaway folder.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m gui.screenshot", description=__doc__.splitlines()[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--select", help="id of a node to select (the inspector shows it)")
    parser.add_argument("--size", default="1400x900", help="window size, WIDTHxHEIGHT")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings

    from engine.project import ProjectFileError, load_project

    from .app import create_application
    from .main_window import MainWindow
    from .settings import AppSettings

    try:
        project = load_project(args.project)
    except ProjectFileError as error:
        print(error, file=sys.stderr)
        return 1
    app = create_application()
    with tempfile.TemporaryDirectory() as scratch:
        window = MainWindow(AppSettings(QSettings(str(Path(scratch) / "settings.ini"), QSettings.IniFormat)))
        width, height = (int(v) for v in args.size.lower().split("x"))
        window.resize(width, height)
        window.show()
        window.editor.set_project(project)
        app.processEvents()
        window.view.fit_to_content()
        if args.select:
            window.scene.select_nodes([args.select])
        app.processEvents()
        args.out.parent.mkdir(parents=True, exist_ok=True)
        saved = window.grab().save(str(args.out))
        window.editor.mark_saved()
        window.close()
    return 0 if saved else 1


if __name__ == "__main__":
    sys.exit(main())
