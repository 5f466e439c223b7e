"""Every file the GUI reads from the repository, named in one place."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESOURCES = ROOT / "resources"
ICONS = RESOURCES / "icons"
UI_ICONS = ICONS / "ui"  # arrows and marks the style sheet draws widgets with
STYLE_SHEET = RESOURCES / "style.qss"
APP_ICON = ICONS / "app.svg"
EXAMPLES = ROOT / "projects"
GETTING_STARTED = ROOT / "docs" / "getting-started.md"
# Opened on the very first start: a small model whose point (long memory) shows at once.
FIRST_START_EXAMPLE = EXAMPLES / "adding_lstm.rsproj"


def block_icon_path(type_name: str) -> Path:
    from engine.blocks import get_spec

    return ICONS / get_spec(type_name).icon_name


def example_projects() -> list[Path]:
    from engine.project import SUFFIX

    return sorted(EXAMPLES.glob(f"*{SUFFIX}"))


def first_start_example() -> Path | None:
    if FIRST_START_EXAMPLE.exists():
        return FIRST_START_EXAMPLE
    examples = example_projects()
    return examples[0] if examples else None


def action_icon_path(name: str) -> Path:
    return ICONS / "actions" / f"{name}.svg"
