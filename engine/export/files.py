"""Writing exported files atomically: a reader sees the old file or the new one, never a mix."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..project import write_atomic


def save_source(text: str, path: Path | str) -> Path:
    """Write generated source (see `generate_source`) to `path`."""
    path = Path(path)
    write_atomic(path, text)
    return path


def export_weights(state_dict: dict, path: Path | str) -> Path:
    """Write a state dict as safetensors, keys unchanged, tensors moved to the CPU."""
    from safetensors.torch import save_file

    path = Path(path)
    tensors = {name: tensor.detach().cpu().contiguous() for name, tensor in state_dict.items()}
    with replacing(path) as temporary:
        save_file(tensors, str(temporary))
    return path


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside `path`; it replaces `path` if the block succeeds and
    is removed if it fails."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
