"""Training from the window: a spawned child process (child.py), the bridge that streams its
events back (process.py), the live session and its run controls.

This package's __init__ imports nothing: the child process imports gui.training.child and
must not load Qt.
"""
