"""Project files in the window: new, open, save, save as, recent files, examples, and the
prompts that keep work from being lost (save before new/open/quit, crash recovery).

A file that fails to load shows the engine's message and leaves the current work alone.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox

from engine.data.files import is_inside, user_data_path
from engine.file_names import safe_stem
from engine.project import SUFFIX, Project, ProjectFileError, load_project, save_project
from engine.safe_io import quote, quote_path

from . import paths
from .actions import fill_action_menu
from .start_page import example_summary

FILE_FILTER = f"Recurrent Studio projects (*{SUFFIX});;All files (*)"


def starter_project() -> Project:
    """An empty project with the data settings a new model most often starts from."""
    from engine.data import default_settings

    return Project(data=default_settings("sine"))


class ProjectFiles(QObject):
    saved = Signal(object)  # the project's folder before this save (None: it had no file yet)

    def __init__(self, window, settings, recovery):
        super().__init__(window)
        self._window, self._settings, self._recovery = window, settings, recovery

    @property
    def _editor(self):
        return self._window.editor

    # -- start-up -------------------------------------------------------------------------
    def start(self, project_path: Path | None = None) -> None:
        """What the window shows first: recovered work, else the file asked for, else an
        example on the very first start (with the start page over it), else the most recent
        file, else a new project."""
        first_start = not self._settings.started_before()
        if not self.offer_recovery() and not self._open_first(project_path):
            self._editor.set_project(starter_project())
        self._settings.mark_started()
        if first_start and project_path is None:
            self._window.show_start_page()

    def _open_first(self, project_path: Path | None) -> bool:
        if project_path is not None:
            return self.open_path(project_path)
        example = paths.first_start_example()
        if not self._settings.started_before() and example is not None:
            return self.open_path(example, as_example=True)
        recent = [p for p in self._settings.recent_files() if p.exists()]
        return bool(recent) and self.open_path(recent[0])

    def offer_recovery(self) -> bool:
        if self._recovery is None or not self._recovery.available():
            return False
        try:
            recovered = self._recovery.load()
        except ProjectFileError as error:
            QMessageBox.warning(self._window, "Recovery failed", f"Unsaved work could not be recovered:\n{error}")
            self._recovery.clear()
            return False
        answer = QMessageBox.question(
            self._window,
            "Recover unsaved work?",
            f"Recurrent Studio did not close normally. Unsaved work from {recovered.saved_at} "
            f"({recovered.project.name}) was kept.\n\nRecover it?",
            QMessageBox.Yes | QMessageBox.No,
            QMessageBox.Yes,
        )
        if answer != QMessageBox.Yes:
            self._recovery.clear()
            return False
        self._editor.set_project(recovered.project, unsaved=True)
        self._window.view.fit_to_content()
        return True

    def autosave(self) -> None:
        if self._recovery is None or not self._editor.is_dirty():
            return
        try:
            self._recovery.write(self._editor.project)
        except OSError as error:
            self._window.show_message(f"Autosave failed: {error}")

    def discard_recovery(self) -> None:
        """The work was saved or deliberately given up: nothing is left to recover."""
        if self._recovery is not None:
            self._recovery.clear()

    # -- commands -------------------------------------------------------------------------
    def new_project(self) -> None:
        if self.maybe_save("starting a new project"):
            self._editor.set_project(starter_project())
            self._window.view.fit_to_content()

    def open_dialog(self) -> None:
        if not self.maybe_save("opening another project"):
            return
        start = str(self.dialog_folder())
        path, _ = QFileDialog.getOpenFileName(self._window, "Open project", start, FILE_FILTER)
        if path:
            self.open_path(Path(path))

    def open_path(self, path: Path, as_example: bool = False) -> bool:
        """Open `path`; on failure show the engine's message and keep the current project.
        An example opens as an untitled copy, so saving never overwrites it."""
        try:
            project = load_project(path, read_data=False)  # read once the data file is agreed to
        except ProjectFileError as error:
            QMessageBox.critical(self._window, "Cannot open project", str(error))
            return False
        if not self._data_file_agreed(project):
            self._window.show_message(f"Not opened: {quote(project.name)} reads data from outside its folder")
            return False
        if as_example:
            project.path = None
        else:
            self._settings.add_recent_file(path)
        self._editor.set_project(project)
        self._window.view.fit_to_content()
        self._window.show_message(f"Opened {project.name}")
        return True

    def _data_file_agreed(self, project: Project) -> bool:
        """A project may name any file as its data (~/.ssh/id_rsa); outside its own folder and
        the folders agreed to before, ask before anything reads it."""
        data = user_data_path(project.data, project.base_dir)
        trusted = [project.base_dir, *self._settings.approved_data_folders()]
        if data is None or any(folder is not None and is_inside(data, folder) for folder in trusted):
            return True
        answer = QMessageBox.question(
            self._window,
            "Read a file outside the project?",
            f"The project {quote(project.name)} reads its data from\n\n{quote_path(data)}\n\nwhich is outside the project's "
            f"folder. Read this file?\n\nIf you agree, projects may read data from {data.parent} from now on.",
            QMessageBox.Yes | QMessageBox.No,
            QMessageBox.No,
        )
        if answer != QMessageBox.Yes:
            return False
        self._settings.approve_data_folder(data.parent)
        return True

    def save(self) -> bool:
        path = self._editor.project.path
        return self._write(path) if path else self.save_as()

    def save_as(self) -> bool:
        project = self._editor.project
        suggestion = str(project.path or self.dialog_folder() / f"{_file_stem(project.name)}{SUFFIX}")
        path, _ = QFileDialog.getSaveFileName(self._window, "Save project as", suggestion, FILE_FILTER)
        if not path:
            return False
        path = Path(path)
        return self._write(path if path.suffix == SUFFIX else path.with_name(path.name + SUFFIX))

    def _write(self, path: Path) -> bool:
        previous_folder = self._editor.project.base_dir
        try:
            save_project(self._editor.project, path)
        except OSError as error:
            QMessageBox.critical(self._window, "Cannot save project", f"{path}: {error.strerror or error}")
            return False
        self._editor.mark_saved()
        self._settings.add_recent_file(path)
        self.discard_recovery()
        self._window.show_message(f"Saved {path}")
        self.saved.emit(previous_folder)
        return True

    def maybe_save(self, doing: str = "closing") -> bool:
        """True if the work may be replaced: it is saved, the user saved it, or discarded it."""
        if not self._editor.is_dirty():
            return True
        answer = QMessageBox.warning(
            self._window,
            "Unsaved changes",
            f"“{self._window.document_title()}” has unsaved changes. Save them before {doing}?",
            QMessageBox.Save | QMessageBox.Discard | QMessageBox.Cancel,
            QMessageBox.Save,
        )
        if answer == QMessageBox.Save:
            return self.save()
        if answer == QMessageBox.Discard:
            self.discard_recovery()
            return True
        return False

    # -- menus ----------------------------------------------------------------------------
    def fill_recent_menu(self, menu) -> None:
        entries = [(str(p), lambda p=p: self.open_if_saved(p)) for p in self._settings.recent_files()]
        fill_action_menu(menu, entries, "No recent projects")
        if entries:
            menu.addSeparator()
            menu.addAction("Clear Recent").triggered.connect(self._settings.clear_recent_files)

    def fill_example_menu(self, menu) -> None:
        entries = [
            (example_summary(p)[0], lambda p=p: self.open_if_saved(p, as_example=True))
            for p in paths.example_projects()
        ]
        fill_action_menu(menu, entries, "No examples found")

    def open_if_saved(self, path: Path, as_example: bool = False) -> bool:
        return self.maybe_save("opening another project") and self.open_path(path, as_example)

    def dialog_folder(self) -> Path:
        """Where file dialogs open: the project's folder, else that of the last project opened."""
        if self._editor.project.base_dir:
            return self._editor.project.base_dir
        recent = [p.parent for p in self._settings.recent_files() if p.parent.is_dir()]
        return recent[0] if recent else Path.home()


def _file_stem(name: str) -> str:
    return safe_stem(name, "untitled").lower()
