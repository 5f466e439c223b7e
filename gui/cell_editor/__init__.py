"""The cell editor: a drawn cell's inside on a canvas of its own (engine.cells), opened by
double-clicking a Custom cell block. Its edits are commands on the project's undo stack."""
