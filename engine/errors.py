"""The base of every error whose message is written for the person using the app.

Each layer raises its own subclass (DataError, GraphError, CompileError, ...), with a message
that names the file, field or block concerned and says what to do. Front ends catch
`UserError` alone and show the message as it is: one line, no traceback. Anything else that
escapes is a bug and keeps its traceback.
"""

from __future__ import annotations


class UserError(Exception):
    """An error meant for the user; `str(error)` is the whole message."""
