"""The check `make run` and `main.py` make before Qt starts: a missing display, and the xcb
plugin's missing libraries named with the exact install command; `main.py PROJECT`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import main
from gui import preflight

ROOT = Path(__file__).resolve().parents[1]
LDD_OUTPUT = """\
\tlinux-vdso.so.1 (0x00007ffd)
\tlibQt6XcbQpa.so.6 => /venv/PySide6/Qt/lib/libQt6XcbQpa.so.6 (0x00007f)
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\tlibxcb-icccm.so.4 => not found
\tlibwhatever.so.9 => not found
"""


def fake_ldd(monkeypatch, output: str) -> None:
    monkeypatch.setattr(preflight, "xcb_plugin", lambda: Path("/venv/libqxcb.so"))
    monkeypatch.setattr(
        preflight.subprocess, "run", lambda *args, **kwargs: subprocess.CompletedProcess(args, 0, output, "")
    )


def test_missing_libraries_are_read_from_ldd_and_named_with_one_command_per_manager(monkeypatch):
    fake_ldd(monkeypatch, LDD_OUTPUT)
    report = preflight.check({"DISPLAY": ":0"})
    assert report.missing_libraries == ["libxcb-icccm.so.4", "libxcb-keysyms.so.1"]
    assert report.unknown_libraries == ["libwhatever.so.9"] and not report.ok
    text = preflight.describe(report, "apt")
    assert "  apt: sudo apt-get install -y libxcb-icccm4 libxcb-keysyms1" in text.splitlines()
    assert "dnf" not in text and "libwhatever.so.9" in text
    every = preflight.describe(report, None)
    assert "dnf: sudo dnf install -y xcb-util-keysyms xcb-util-wm" in every
    assert "pacman: sudo pacman -S --needed xcb-util-keysyms xcb-util-wm" in every


def test_a_plugin_with_every_library_passes(monkeypatch):
    fake_ldd(monkeypatch, "\tlibxcb.so.1 => /usr/lib/libxcb.so.1 (0x1)\n")
    assert preflight.check({"DISPLAY": ":0"}).ok


def test_no_display_is_said_before_anything_else(monkeypatch):
    report = preflight.check({})
    assert "No display" in report.display_problem and "xvfb-run" in report.display_problem
    assert preflight.check({"QT_QPA_PLATFORM": "offscreen"}).ok  # the tests' platform needs no X


def test_without_root_the_check_prints_the_command_and_fails(monkeypatch, capsys):
    fake_ldd(monkeypatch, LDD_OUTPUT.replace("\tlibwhatever.so.9 => not found\n", ""))
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.setattr(preflight, "can_install_with_apt", lambda: False)
    monkeypatch.setattr(preflight, "package_manager", lambda: "pacman")
    assert preflight.main(["--install"]) == 1
    assert "pacman -S --needed xcb-util-keysyms xcb-util-wm" in capsys.readouterr().err


def test_main_with_no_display_says_so_instead_of_aborting_in_qt():
    environ = {"PATH": "/usr/bin:/bin", "HOME": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "main.py"], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1 and result.stderr.startswith("No display")


def test_a_project_path_alone_opens_the_gui():
    parser = main.build_parser()
    assert main.with_command(["projects/adding_lstm.rsproj"], parser) == ["gui", "projects/adding_lstm.rsproj"]
    assert main.with_command(["train", "x.rsproj"], parser) == ["train", "x.rsproj"]
    assert parser.parse_args(main.with_command(["x.rsproj"], parser)).project == Path("x.rsproj")
