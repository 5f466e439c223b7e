"""Before Qt starts: is there a display, and can Qt's xcb platform plugin load?

Qt aborts with "Could not load the Qt platform plugin xcb" and names at most one missing
library. This module asks the plugin itself (`ldd` on PySide6's libqxcb.so lists every
shared library that is not found), maps each missing library to its package for apt, dnf
and pacman, and either installs them (root with apt-get) or prints the one command to run.

It imports nothing from Qt (it must run where Qt cannot load) and nothing from the engine.
`python -m gui.preflight [--install]` is what `make run` calls; `main.py` runs `check()` too.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

# library soname → (apt, dnf, pacman) package. The xcb plugin's own set, then what Qt's
# widgets need on any platform (GL, fonts, D-Bus, GLib).
PACKAGES: dict[str, tuple[str, str, str]] = {
    "libxcb-cursor.so.0": ("libxcb-cursor0", "xcb-util-cursor", "xcb-util-cursor"),
    "libxcb-icccm.so.4": ("libxcb-icccm4", "xcb-util-wm", "xcb-util-wm"),
    "libxcb-keysyms.so.1": ("libxcb-keysyms1", "xcb-util-keysyms", "xcb-util-keysyms"),
    "libxcb-image.so.0": ("libxcb-image0", "xcb-util-image", "xcb-util-image"),
    "libxcb-render-util.so.0": ("libxcb-render-util0", "xcb-util-renderutil", "xcb-util-renderutil"),
    "libxcb-util.so.1": ("libxcb-util1", "xcb-util", "xcb-util"),
    "libxcb-xinerama.so.0": ("libxcb-xinerama0", "libxcb", "libxcb"),
    "libxcb-xkb.so.1": ("libxcb-xkb1", "libxcb", "libxcb"),
    "libxcb-randr.so.0": ("libxcb-randr0", "libxcb", "libxcb"),
    "libxcb-shape.so.0": ("libxcb-shape0", "libxcb", "libxcb"),
    "libxcb-xfixes.so.0": ("libxcb-xfixes0", "libxcb", "libxcb"),
    "libxcb-sync.so.1": ("libxcb-sync1", "libxcb", "libxcb"),
    "libxcb-shm.so.0": ("libxcb-shm0", "libxcb", "libxcb"),
    "libxcb-render.so.0": ("libxcb-render0", "libxcb", "libxcb"),
    "libxcb-glx.so.0": ("libxcb-glx0", "libxcb", "libxcb"),
    "libxcb.so.1": ("libxcb1", "libxcb", "libxcb"),
    "libxkbcommon-x11.so.0": ("libxkbcommon-x11-0", "libxkbcommon-x11", "libxkbcommon-x11"),
    "libxkbcommon.so.0": ("libxkbcommon0", "libxkbcommon", "libxkbcommon"),
    "libX11-xcb.so.1": ("libx11-xcb1", "libX11-xcb", "libx11"),
    "libX11.so.6": ("libx11-6", "libX11", "libx11"),
    "libSM.so.6": ("libsm6", "libSM", "libsm"),
    "libICE.so.6": ("libice6", "libICE", "libice"),
    "libEGL.so.1": ("libegl1", "libglvnd-egl", "libglvnd"),
    "libGL.so.1": ("libgl1", "libglvnd-glx", "libglvnd"),
    "libOpenGL.so.0": ("libopengl0", "libglvnd-opengl", "libglvnd"),
    "libGLX.so.0": ("libglx0", "libglvnd-glx", "libglvnd"),
    "libfontconfig.so.1": ("libfontconfig1", "fontconfig", "fontconfig"),
    "libfreetype.so.6": ("libfreetype6", "freetype", "freetype2"),
    "libdbus-1.so.3": ("libdbus-1-3", "dbus-libs", "dbus"),
    "libglib-2.0.so.0": ("libglib2.0-0", "glib2", "glib2"),
    "libgthread-2.0.so.0": ("libglib2.0-0", "glib2", "glib2"),
}
# Without a font Qt draws no text at all; ldd cannot see that.
FONT_PACKAGES = ("fonts-dejavu-core", "dejavu-sans-fonts", "ttf-dejavu")
MANAGERS = ("apt", "dnf", "pacman")
INSTALL_COMMANDS = {
    "apt": "sudo apt-get install -y {}",
    "dnf": "sudo dnf install -y {}",
    "pacman": "sudo pacman -S --needed {}",
}
NOT_FOUND = re.compile(r"^\s*(\S+)\s*=>\s*not found", re.MULTILINE)


@dataclass
class Report:
    """What stands between this machine and a window. Empty lists: nothing does."""

    display_problem: str = ""
    missing_libraries: list[str] = field(default_factory=list)
    unknown_libraries: list[str] = field(default_factory=list)  # missing, with no package known here
    plugin: Path | None = None

    @property
    def ok(self) -> bool:
        return not (self.display_problem or self.missing_libraries or self.unknown_libraries)

    def packages(self, manager: str) -> list[str]:
        column = MANAGERS.index(manager)
        return sorted({PACKAGES[name][column] for name in self.missing_libraries})


def xcb_plugin() -> Path | None:
    """PySide6's libqxcb.so, found without importing Qt (importing it may be what fails)."""
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return None
    plugin = Path(next(iter(spec.submodule_search_locations))) / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    return plugin if plugin.exists() else None


def missing_libraries(plugin: Path) -> list[str]:
    """Sonames `ldd` cannot resolve for `plugin` (and everything it links to)."""
    try:
        result = subprocess.run(["ldd", str(plugin)], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return []  # no ldd (not glibc Linux): leave the diagnosis to Qt
    return sorted(set(NOT_FOUND.findall(result.stdout)))


def platform_wanted(environ=os.environ) -> str:
    """The platform Qt will try: QT_QPA_PLATFORM, else xcb under X, wayland without X."""
    explicit = environ.get("QT_QPA_PLATFORM", "").split(";")[0].split(":")[0].strip()
    if explicit:
        return explicit
    if environ.get("DISPLAY"):
        return "xcb"
    return "wayland" if environ.get("WAYLAND_DISPLAY") else ""


def check(environ=os.environ) -> Report:
    if not sys.platform.startswith("linux"):
        return Report()
    platform = platform_wanted(environ)
    if not platform:
        return Report(
            display_problem="No display: neither DISPLAY nor WAYLAND_DISPLAY is set. Run the app in a desktop "
            "session, or under a virtual display with `xvfb-run -a make run`; the headless commands "
            "(`python main.py train PROJECT`, see README) need no display."
        )
    plugin = xcb_plugin()
    if platform != "xcb" or plugin is None:
        return Report(plugin=plugin)
    missing = missing_libraries(plugin)
    known = [name for name in missing if name in PACKAGES]
    return Report(
        missing_libraries=known, unknown_libraries=[name for name in missing if name not in PACKAGES], plugin=plugin
    )


def package_manager() -> str | None:
    """The package manager this machine has (apt, dnf or pacman), if any."""
    executables = {"apt": "apt-get", "dnf": "dnf", "pacman": "pacman"}
    return next((manager for manager in MANAGERS if shutil.which(executables[manager])), None)


def install_command(report: Report, manager: str) -> str:
    return INSTALL_COMMANDS[manager].format(" ".join(report.packages(manager)))


def install_commands(report: Report, manager: str | None) -> list[str]:
    """The one command for this machine's package manager; all three when it has none of them."""
    managers = [manager] if manager else MANAGERS
    return [f"{name}: {install_command(report, name)}" for name in managers]


def describe(report: Report, manager: str | None = None) -> str:
    if report.display_problem:
        return report.display_problem
    lines = []
    if report.missing_libraries:
        lines += [
            "Qt's xcb platform plugin cannot load: these system libraries are missing: "
            + ", ".join(report.missing_libraries),
            "Install them with your package manager, then start the app again:",
            *(f"  {line}" for line in install_commands(report, manager)),
        ]
    if report.unknown_libraries:
        lines.append(
            f"Also missing (install the package that provides them): {', '.join(report.unknown_libraries)}"
            f" — needed by {report.plugin}"
        )
    return "\n".join(lines)


def can_install_with_apt() -> bool:
    return shutil.which("apt-get") is not None and hasattr(os, "geteuid") and os.geteuid() == 0


def install_with_apt(report: Report) -> bool:
    packages = report.packages("apt") + [FONT_PACKAGES[0]]
    print(f"Installing the libraries Qt needs: apt-get install {' '.join(packages)}", flush=True)
    quiet = {"stdout": subprocess.DEVNULL}
    environ = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if subprocess.run(["apt-get", "update", "-qq"], env=environ, **quiet).returncode != 0:
        return False
    return subprocess.run(["apt-get", "install", "-y", "-qq", *packages], env=environ, **quiet).returncode == 0


def main(argv: list[str] | None = None) -> int:
    """Exit 0 when a window can open (after installing what was missing, with --install)."""
    argv = sys.argv[1:] if argv is None else argv
    report = check()
    if report.missing_libraries and not report.unknown_libraries and "--install" in argv and can_install_with_apt():
        if install_with_apt(report):
            report = check()
    if report.ok:
        return 0
    print(describe(report, package_manager()), file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
