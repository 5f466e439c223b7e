"""The desktop builder: PySide6 views and controllers over the engine's documents.

Nothing in the engine imports from here. Start-up imports no torch: the window opens first,
heavy work is imported where it is used.
"""
