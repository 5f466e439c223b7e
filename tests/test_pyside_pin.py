"""PySide6 6.12.0 on Python < 3.12 drops a reference to None on every Qt call returning
nothing, until the interpreter dies (none_dealloc). The pin in pyproject.toml excludes it;
this test catches that release, or any other with the same fault."""

from __future__ import annotations

import sys

import pytest


def test_void_qt_calls_keep_the_reference_count_of_none():
    if sys.version_info >= (3, 12):
        pytest.skip("None is immortal from Python 3.12 on; the fault cannot show")
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QPainterPath, QPolygonF

    polygon = QPolygonF([QPointF(0, 0), QPointF(1, 1), QPointF(2, 0)])
    path = QPainterPath()
    before = sys.getrefcount(None)
    for _ in range(5000):
        path.addPolygon(polygon)
        polygon.resize(3)
    assert sys.getrefcount(None) >= before - 50


def test_installed_pyside_is_not_the_broken_release():
    import PySide6

    if sys.version_info < (3, 12):
        assert PySide6.__version__ != "6.12.0"
