"""Progress while the window reads a big CSV file, with a way to stop.

Reading happens in the window's thread (the data signature decides every shape on the
canvas), so `showing_reading_progress(parent)` hands engine.data.csv_table a progress
callback for the block it wraps: a file read in chunks (over 4 MB) opens a window-modal
progress dialog after half a second, keeps the window painting between chunks (user input
waits until the dialog is up to receive it), and Cancel stops the read
with a DataError, which the window shows as the data problem, like any unreadable file.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import QEventLoop, Qt
from PySide6.QtWidgets import QApplication, QProgressDialog, QWidget

from engine.data import DataError
from engine.data.csv_table import reading_progress

STEPS = 1000  # the dialog's range: bytes are too many for its int
CANCELLED = "reading the data file was cancelled; change a data setting (or reopen the project) to read it again"


class ReadingDialog:
    """A progress callback (done, total) in bytes, drawn as a QProgressDialog."""

    def __init__(self, parent: QWidget | None):
        self.parent, self.dialog = parent, None

    def __call__(self, done: int, total: int) -> None:
        if self.dialog is None:
            self.dialog = QProgressDialog("Reading the data file…", "Cancel", 0, STEPS, self.parent)
            self.dialog.setWindowTitle("Reading data")
            self.dialog.setWindowModality(Qt.WindowModal)
            self.dialog.setMinimumDuration(500)
            self.dialog.setLabelText(f"Reading the data file ({total / 1e6:,.0f} MB)…")
        self.dialog.setValue(round(STEPS * done / max(total, 1)))
        # Painting, always; clicks and keys only once the dialog shows and, being modal, takes
        # them: before that they would reach a window whose project is half loaded.
        shown = self.dialog.isVisible()
        QApplication.processEvents(QEventLoop.AllEvents if shown else QEventLoop.ExcludeUserInputEvents)
        if self.dialog.wasCanceled():
            self.close()
            raise DataError(CANCELLED)
        if done >= total:
            self.close()

    def close(self) -> None:
        if self.dialog is not None:
            self.dialog.reset()
            self.dialog.deleteLater()
            self.dialog = None


@contextmanager
def showing_reading_progress(parent: QWidget | None) -> Iterator[ReadingDialog]:
    dialog = ReadingDialog(parent)
    try:
        with reading_progress(dialog):
            yield dialog
    finally:
        dialog.close()
