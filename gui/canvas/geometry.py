"""Node geometry shared by the items that draw nodes and by auto-layout.

A node is a card NODE_WIDTH wide: a header (icon, name, type), one row per port (inputs on
the left edge, the output on the right edge of the first row), and a footer with the
inferred output shape and parameter count.
"""

from __future__ import annotations

NODE_WIDTH = 190.0
HEADER_HEIGHT = 42.0
ROW_HEIGHT = 22.0
ROWS_TOP = HEADER_HEIGHT + 6.0
FOOTER_HEIGHT = 40.0
CORNER_RADIUS = 7.0
PORT_RADIUS = 5.5
PORT_HIT_RADIUS = 11.0  # generous, so a port is easy to grab at any zoom
GRID = 20.0


def port_rows(spec) -> int:
    return max(len(spec.inputs), 1 if spec.output is not None else 0, 1)


def node_height(spec) -> float:
    return ROWS_TOP + port_rows(spec) * ROW_HEIGHT + 4.0 + FOOTER_HEIGHT


def input_port_y(index: int) -> float:
    return ROWS_TOP + (index + 0.5) * ROW_HEIGHT


def output_port_y() -> float:
    return input_port_y(0)
