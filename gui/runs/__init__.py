"""Runs in the window: the project's run folders listed, opened into the plots, overlaid on the
loss plot, and their probes replayed with a slider."""
