"""The real window on the xcb platform under an X server (Xvfb in .ci/run), not offscreen:
it opens, is exposed and draws; the runs-panel flow (new → train → save as → train →
reopen: every run listed once, in the right project), the fix-it flow and wiring in the
cell editor run on it. Run
with QT_QPA_PLATFORM=xcb and DISPLAY set (`pytest -m xcb`); the offscreen suite skips these."""

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


# The runs-panel and fix-it flows, the same tests as offscreen, driven here on the real
# xcb window (collected again under this module's marks).
from test_gui_cell_editor import (  # noqa: E402,F401
    test_a_refused_wire_is_drawn_red_says_why_and_offers_a_fix_that_applies,
    test_dragging_from_an_output_port_to_a_free_input_slot_wires_them_in_one_undo_step,
)
from test_gui_fixits import (  # noqa: E402,F401
    test_a_refused_wire_offers_fixes_and_one_click_applies_one_undoable_fix,
    test_the_problems_panel_lists_the_fix_for_a_wire_that_does_not_fit,
)
from test_gui_project_runs import (  # noqa: E402,F401
    test_each_unsaved_project_has_its_own_runs,
    test_new_train_save_as_train_reopen_lists_every_run_once_beside_the_file,
    trainer,
)
