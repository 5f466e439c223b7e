"""Probe records in a run folder: written as the run goes, read back exactly as they were live.

Layout of `<run>/probes/`:
  index.json          {"format": "recurrent-studio-probes", "version": 1,
                       "probes": [{"step": 0, "file": "step_00000000.npz"}, ...]}
  step_XXXXXXXX.npz   one record: its numpy arrays under keys "a0", "a1", ... and, under
                      "skeleton", the JSON text of the record with every array replaced by
                      {"__array__": "aN"}

Every file is written atomically (temporary file, then rename), the index last, so a run
that dies leaves a readable folder. Loading uses allow_pickle=False: nothing in a run folder
can run code. A record holds dicts with text keys, lists, text, numbers, None and numpy
arrays of numbers; tuples come back as lists, so records are made with lists. The skeleton
is strict JSON: a NaN or infinite number in it is written as {"__float__": "nan"}.

Reading treats each file as untrusted: only regular files, the index within a size limit,
a record's arrays within MAX_RECORD_BYTES *unpacked* (a small compressed file can hold
gigabytes of zeros), numeric arrays only. A damaged record names its run and file; with a
`problems` list the other records still load.
"""

from __future__ import annotations

import io
import math
import os
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from . import strict_json
from .project import write_atomic
from .runs import PROBES, RunFolderError
from .safe_io import FileRefusedError, check_regular, format_bytes, read_limited

STORE_FORMAT = "recurrent-studio-probes"
STORE_VERSION = 1
INDEX = "index.json"
_ARRAY = "__array__"
_FLOAT = "__float__"
MAX_INDEX_BYTES = 4 * 1024 * 1024
MAX_RECORD_BYTES = 256 * 1024 * 1024


class ProbeStoreError(RunFolderError):
    """Probe records that cannot be read; the message names the file and what is wrong."""


def save_probe(run_dir: Path | str, record: dict[str, Any]) -> Path:
    """Add `record` to the run folder's probes (replacing one of the same step); returns its file."""
    folder = Path(run_dir) / PROBES
    folder.mkdir(parents=True, exist_ok=True)
    step = int(record["step"])
    name = f"step_{step:08d}.npz"
    arrays: dict[str, np.ndarray] = {}
    skeleton = _split(record, arrays)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, skeleton=np.array(strict_json.dumps(skeleton)), **arrays)
    write_atomic(folder / name, buffer.getvalue())
    entries = [e for e in _read_index(folder, missing_ok=True) if e["step"] != step]
    entries = sorted(entries + [{"step": step, "file": name}], key=lambda e: e["step"])
    index = {"format": STORE_FORMAT, "version": STORE_VERSION, "probes": entries}
    write_atomic(folder / INDEX, strict_json.dumps(index, indent=1) + "\n")
    return folder / name


def load_probes(run_dir: Path | str, problems: list[str] | None = None) -> list[dict[str, Any]]:
    """Every probe record of a run, in step order; raises ProbeStoreError (a RunFolderError).

    With a `problems` list, a damaged record is skipped and its message added there instead.
    """
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise ProbeStoreError(f"{run_dir}: is not a folder; give the path of a run folder under runs/")
    folder = run_dir / PROBES
    if not folder.is_dir():
        raise ProbeStoreError(
            f"{run_dir}: has no probe records (no {PROBES}/ folder). Probes were off "
            "(probe_every 0) or the model has no RNN, LSTM or GRU block"
        )
    records = []
    for entry in _read_index(folder):
        try:
            records.append(_load_record(folder / entry["file"]))
        except ProbeStoreError as error:
            if problems is None:
                raise
            problems.append(str(error))
    return records


def _split(value: Any, arrays: dict[str, np.ndarray]) -> Any:
    """The JSON skeleton of `value`, moving its arrays into `arrays`."""
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biuf":
            raise TypeError(f"probe records hold numeric arrays only, not {value.dtype}")
        key = f"a{len(arrays)}"
        arrays[key] = value
        return {_ARRAY: key}
    if isinstance(value, dict):
        return {str(k): _split(v, arrays) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_split(v, arrays) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return {_FLOAT: "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"probe records cannot hold {type(value).__name__}")


def _join(value: Any, arrays) -> Any:
    if isinstance(value, dict):
        if set(value) == {_ARRAY}:
            return arrays[value[_ARRAY]]
        if set(value) == {_FLOAT}:
            return float(value[_FLOAT])  # "nan", "inf" or "-inf"; anything else: ValueError
        return {k: _join(v, arrays) for k, v in value.items()}
    if isinstance(value, list):
        return [_join(v, arrays) for v in value]
    return value


def _read_index(folder: Path, missing_ok: bool = False) -> list[dict[str, Any]]:
    path = folder / INDEX
    if not path.exists():
        if missing_ok:
            return []
        raise ProbeStoreError(f"{path}: is missing; the probe records of this run cannot be listed")
    try:
        index = strict_json.loads(read_limited(path, "probe index", MAX_INDEX_BYTES).decode("utf-8"))
    except FileRefusedError as error:
        raise ProbeStoreError(str(error)) from None
    except (UnicodeDecodeError, ValueError) as error:
        raise ProbeStoreError(f"{path}: is not valid JSON ({error}); the run folder is damaged") from None
    if not isinstance(index, dict) or index.get("format") != STORE_FORMAT:
        raise ProbeStoreError(f"{path}: is not a Recurrent Studio probe index")
    version = index.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ProbeStoreError(f"{path}: has no valid version number; the run folder is damaged")
    if version > STORE_VERSION:
        raise ProbeStoreError(
            f"{path}: was written by a newer Recurrent Studio (probe format {version}; "
            f"this version reads up to {STORE_VERSION}). Update Recurrent Studio"
        )
    entries = index.get("probes")
    if not isinstance(entries, list) or not all(
        isinstance(e, dict)
        and isinstance(e.get("step"), int)
        and isinstance(e.get("file"), str)
        and Path(e["file"]).name == e["file"]
        for e in entries
    ):
        raise ProbeStoreError(f'{path}: its "probes" list is damaged')
    return entries


def _load_record(path: Path) -> dict[str, Any]:
    if not os.path.lexists(path):
        raise ProbeStoreError(f"{path}: is missing (it is listed in {INDEX}); the run folder is incomplete")
    try:
        check_regular(path, "probe file", MAX_RECORD_BYTES)
        _check_unpacked_size(path)
        with np.load(path, allow_pickle=False) as content:  # an object (pickled) array: ValueError
            arrays = {key: content[key] for key in content.files}
        skeleton = arrays.pop("skeleton")
        if skeleton.dtype.kind != "U" or skeleton.ndim != 0:
            raise ValueError("no JSON skeleton")
        if any(array.dtype.kind not in "biuf" for array in arrays.values()):
            raise ValueError("an array that is not numbers")
        return _join(strict_json.loads(str(skeleton)), arrays)
    except ProbeStoreError:
        raise
    except FileRefusedError as error:
        raise ProbeStoreError(str(error)) from None
    except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile, EOFError):
        raise ProbeStoreError(f"{path}: cannot be read; the probe file is damaged") from None


def _check_unpacked_size(path: Path) -> None:
    """Refuse an .npz whose arrays would unpack to more than MAX_RECORD_BYTES (a zip bomb)."""
    with zipfile.ZipFile(path) as archive:
        unpacked = sum(member.file_size for member in archive.infolist())
    if unpacked > MAX_RECORD_BYTES:
        raise ProbeStoreError(
            f"{path}: would unpack to {format_bytes(unpacked)}, over the {format_bytes(MAX_RECORD_BYTES)} "
            "a probe record may hold; the probe file is damaged"
        )
