"""Every file the GUI reads from the repository, named in one place."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESOURCES = ROOT / "resources"
ICONS = RESOURCES / "icons"
STYLE_SHEET = RESOURCES / "style.qss"
APP_ICON = ICONS / "app.svg"
EXAMPLES = ROOT / "projects"


def block_icon_path(type_name: str) -> Path:
    return ICONS / f"{type_name}.svg"


def example_projects() -> list[Path]:
    from engine.project import SUFFIX
    return sorted(EXAMPLES.glob(f"*{SUFFIX}"))
