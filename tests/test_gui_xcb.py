"""The real window on the xcb platform under an X server (Xvfb in .ci/run), not offscreen:
it opens, is exposed and draws. Run with QT_QPA_PLATFORM=xcb and DISPLAY set; the
offscreen suite skips these."""

from __future__ import annotations

import os

import pytest

pytestmark = [
    pytest.mark.xcb,
    pytest.mark.skipif(
        os.environ.get("QT_QPA_PLATFORM") != "xcb" or not os.environ.get("DISPLAY"),
        reason="needs QT_QPA_PLATFORM=xcb and an X display (.ci/run runs these under Xvfb)",
    ),
]

from PySide6.QtCore import QStandardPaths  # noqa: E402
from PySide6.QtGui import QGuiApplication  # noqa: E402

from gui.testing import dialogs, window  # noqa: E402,F401

QStandardPaths.setTestModeEnabled(True)


def test_the_window_opens_on_the_real_xcb_platform_and_draws(window, qtbot):
    assert QGuiApplication.platformName() == "xcb"
    qtbot.waitExposed(window)
    image = window.grab().toImage()
    assert image.width() > 600 and image.height() > 400
    colours = {image.pixel(x, y) for x in range(0, image.width(), 37) for y in range(0, image.height(), 37)}
    assert len(colours) > 5  # the canvas, panels and text drew, not one blank colour
