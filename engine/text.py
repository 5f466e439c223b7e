"""Plain-text formatting shared by the command line, reports and messages: tables, lists
of alternatives and numbers, each written one way."""

from __future__ import annotations

from collections.abc import Iterable, Sequence


def format_table(rows: Sequence[Sequence[object]]) -> str:
    """Rows (header first) as aligned columns with a rule under the header."""
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def either(names: Iterable[str]) -> str:
    """'A', 'A or B', 'A, B or C'."""
    names = list(names)
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def number(value: float | None) -> str:
    """A measured figure in four significant digits; '-' when there is none."""
    return "-" if value is None else f"{value:.4g}"
