"""The one error the export package raises; its message is shown to the user as it is."""

from __future__ import annotations

from ..errors import UserError


class ExportError(UserError, ValueError):
    """An export that cannot be made; the message says why and what to do."""
