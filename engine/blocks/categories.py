"""The palette's categories, in palette order, each with the colour its blocks wear on the
canvas, in the palette and in the block reference."""

from __future__ import annotations

CATEGORY_COLOURS: dict[str, str] = {
    "Inputs": "#3fae7f",
    "Recurrent": "#d9823b",
    "Layers": "#4d86d9",
    "Sequence": "#9a6fd6",
    "Heads": "#d65a7a",
}
CATEGORIES: tuple[str, ...] = tuple(CATEGORY_COLOURS)
