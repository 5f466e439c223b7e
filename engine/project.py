"""Project files: versioned JSON holding the graph, its layout, data and training settings.

Loading checks every field and reports the file, the field and what was expected; a file
from a newer format version is refused. Loading is bounded: only a regular file of at most
MAX_PROJECT_BYTES is read, parsed as strict JSON (no NaN/Infinity, no over-long integers, no
deep nesting; see engine.strict_json), and every value echoed in a message is quoted with
safe_io.quote (short, control characters escaped). Saving is atomic (temporary file, fsync,
rename), so an interrupted save leaves the previous file intact. Nothing here runs code from
a file.
"""

from __future__ import annotations

import errno
import json
import math
import os
import re
import secrets
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import strict_json
from .errors import UserError
from .file_names import cut_to_bytes
from .graph import GraphDocument, GraphError
from .safe_io import FileRefusedError, one_line, quote, quote_path, read_limited
from .settings import SettingsError, check_training, training_defaults

FORMAT_NAME = "recurrent-studio-project"
FORMAT_VERSION = 1
SUFFIX = ".rsproj"

# Limits a hand-made or generated project never comes near; a file past them is refused.
MAX_PROJECT_BYTES = 8 * 1024 * 1024
MAX_NAME_CHARS = 1000  # project name; file names made from it are shortened separately
MAX_ID_CHARS = 200  # block ids, types and port names
MAX_POSITION = 1e9  # canvas coordinates, in scene units


class ProjectFileError(UserError, ValueError):
    """A project file that cannot be read; says which file, which field and what was expected."""

    def __init__(self, path: Path | str | None, field_path: str | None, message: str):
        self.path, self.field = path, field_path
        where = f"{path}" if path else "project"
        if field_path:
            where += f", field '{field_path}'"
        super().__init__(one_line(f"{where}: {message}"))


@dataclass
class Project:
    graph: GraphDocument = field(default_factory=GraphDocument)
    data: dict[str, Any] = field(default_factory=lambda: {"task": "sine", "params": {}})
    training: dict[str, Any] = field(default_factory=training_defaults)
    name: str = "Untitled"
    description: str = ""
    path: Path | None = None

    @property
    def base_dir(self) -> Path | None:
        return self.path.parent if self.path else None

    def signature(self):
        """The data's DataSignature; raises engine.data.DataError when it cannot be read."""
        from .data import describe

        return describe(self.data, self.base_dir)

    def refresh_signature(self) -> str | None:
        """Give the graph the current data signature; returns the data problem, if any."""
        from .data import DataError

        try:
            self.graph.data = self.signature()
            return None
        except DataError as error:
            self.graph.data = None
            return str(error)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT_NAME,
            "version": FORMAT_VERSION,
            "name": self.name,
            "description": self.description,
            "graph": self.graph.to_dict(),
            "layout": {"positions": self.graph.layout_dict()},
            "data": json.loads(json.dumps(self.data)),
            "training": dict(self.training),
        }


def project_from_dict(content: Any, path: Path | str | None = None, read_data: bool = True) -> Project:
    """Check and load a project dictionary; raises ProjectFileError.

    read_data=False leaves the data file unread (and the graph without a data signature),
    so a caller can first say, or ask about, which file the project reads.
    """

    def fail(field_path, message):
        raise ProjectFileError(path, field_path, message)

    if not isinstance(content, dict):
        fail(None, "expected a JSON object at the top level")
    if content.get("format") != FORMAT_NAME:
        fail("format", f'expected "{FORMAT_NAME}"; this is not a Recurrent Studio project')
    version = content.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        fail("version", "expected a whole number of at least 1")
    if version > FORMAT_VERSION:
        fail(
            "version",
            f"the file was written by a newer Recurrent Studio (format version {version}); "
            f"this version reads up to {FORMAT_VERSION}. Update Recurrent Studio to open it",
        )
    name = _expect(content, "name", str, "a text", path, default="Untitled")
    if len(name) > MAX_NAME_CHARS:
        fail("name", f"expected a name of at most {MAX_NAME_CHARS} characters, found {len(name)}")
    description = _expect(content, "description", str, "a text", path, default="")
    data = _check_data(content.get("data"), path)
    try:
        training = check_training(content.get("training", {}))
    except SettingsError as error:
        fail(f"training.{error.field}" if error.field != "training" else "training", str(error))
    project = Project(GraphDocument(), data, training, name, description, Path(path) if path else None)
    _load_graph(project.graph, content.get("graph"), content.get("layout", {}), path)
    if read_data:
        project.refresh_signature()
    return project


def _expect(content: dict, key: str, kind: type, words: str, path, default: Any) -> Any:
    value = content.get(key, default)
    if not isinstance(value, kind):
        raise ProjectFileError(path, key, f"expected {words}, found {quote(value)}")
    return value


def _check_data(data: Any, path) -> dict[str, Any]:
    if not isinstance(data, dict) or not isinstance(data.get("task"), str):
        raise ProjectFileError(path, "data", 'expected an object like {"task": "sine", "params": {...}}')
    params = data.get("params", {})
    if not isinstance(params, dict):
        raise ProjectFileError(path, "data.params", "expected an object of named data settings")
    from .data import TASKS, DataError
    from .data.params import resolve_params

    if data["task"] not in TASKS:
        raise ProjectFileError(
            path, "data.task", f"unknown task {quote(data['task'])}; known tasks: {', '.join(sorted(TASKS))}"
        )
    try:  # the one schema; the settings are kept as written (defaults are not filled in)
        resolve_params(TASKS[data["task"]], params)
    except DataError as error:
        raise ProjectFileError(path, "data.params", str(error)) from None
    return {"task": data["task"], "params": params}


def _load_graph(doc: GraphDocument, graph: Any, layout: Any, path) -> None:
    if (
        not isinstance(graph, dict)
        or not isinstance(graph.get("nodes", []), list)
        or not isinstance(graph.get("edges", []), list)
    ):
        raise ProjectFileError(path, "graph", 'expected an object with lists "nodes" and "edges"')
    positions = layout.get("positions", {}) if isinstance(layout, dict) else {}
    if not isinstance(positions, dict):
        raise ProjectFileError(path, "layout.positions", "expected an object of node id -> [x, y]")
    for index, entry in enumerate(graph.get("nodes", [])):
        _check_node_entry(entry, f"graph.nodes[{index}]", positions, path)
    for index, entry in enumerate(graph.get("edges", [])):
        if not isinstance(entry, dict) or not all(
            _is_short_text(entry.get(k)) for k in ("source", "source_port", "target", "target_port")
        ):
            raise ProjectFileError(
                path,
                f"graph.edges[{index}]",
                f"expected an object with text fields source, source_port, target, target_port "
                f"(at most {MAX_ID_CHARS} characters each)",
            )
    try:
        doc.load(graph, positions)
    except (GraphError, KeyError) as error:
        raise ProjectFileError(path, "graph", error.args[0]) from None


def _is_short_text(value: Any) -> bool:
    return isinstance(value, str) and len(value) <= MAX_ID_CHARS


def _check_node_entry(entry: Any, where: str, positions: dict, path) -> None:
    if not isinstance(entry, dict) or not _is_short_text(entry.get("id")) or not _is_short_text(entry.get("type")):
        raise ProjectFileError(
            path, where, f'expected an object with text fields "id" and "type" (at most {MAX_ID_CHARS} characters)'
        )
    if not isinstance(entry.get("params", {}), dict):
        raise ProjectFileError(path, f"{where}.params", "expected an object of named parameters")
    position = positions.get(entry["id"], [0, 0])
    if not (isinstance(position, list) and len(position) == 2 and all(_is_coordinate(v) for v in position)):
        raise ProjectFileError(
            path,
            f"layout.positions.{entry['id']}",
            f"expected [x, y]: two finite numbers between -{MAX_POSITION:g} and {MAX_POSITION:g}, "
            f"found {quote(position)}",
        )


def _is_coordinate(value: Any) -> bool:
    # Python compares a huge int with a float exactly, so 10**400 is simply out of range.
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return (isinstance(value, int) or math.isfinite(value)) and -MAX_POSITION <= value <= MAX_POSITION


def load_project(path: Path | str, read_data: bool = True) -> Project:
    """Read, parse and check a project file; ProjectFileError (one line) for anything wrong.
    read_data: as for project_from_dict."""
    path = Path(path)
    try:
        data = read_limited(path, "project file", MAX_PROJECT_BYTES)
    except FileRefusedError as error:
        raise ProjectFileError(None, None, str(error)) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ProjectFileError(
            path, None, f"is not UTF-8 text (byte offset {error.start}); is it a project file?"
        ) from None
    try:
        content = strict_json.loads(text)
    except strict_json.StrictJSONError as error:
        raise ProjectFileError(path, None, f"is not valid JSON ({error})") from None
    return project_from_dict(content, path, read_data)


def save_project(project: Project, path: Path | str | None = None) -> Path:
    """Write the project atomically to `path` (default: its own path) and adopt that path."""
    path = Path(path or project.path)
    write_atomic(path, json.dumps(project.to_dict(), indent=2) + "\n")
    project.path = path
    return path


class SaveRefusedError(OSError):
    """A save target that is not a regular file (a folder, a device, a pipe, a link loop)."""

    def __init__(self, path: Path, message: str):
        super().__init__(errno.EINVAL, message, str(path))


# Temporary files are ".<name>.<pid>.<random>.tmp" beside the target: the pid tells whether
# the process that wrote one is gone (then it is left from a crash and may be removed).
_TEMPORARY = re.compile(r"\.(?P<name>.+)\.(?P<pid>\d+)\.[0-9a-f]{8}\.tmp\Z")
_STALE_SECONDS = 3600  # where a pid cannot be checked (Windows), older temporary files are stale


def write_atomic(path: Path, content: str | bytes) -> None:
    """Write `content` so that `path` holds either the old content or the new, never a mix.

    Through a symbolic link the link's target is written (the link stays); an existing
    file's permission bits are kept; the folder is fsynced after the rename so the new name
    survives a power cut; temporary files left by an earlier crash are removed. A target
    that exists but is not a regular file is refused with SaveRefusedError (an OSError).
    """
    target = _save_target(Path(path))
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_temporaries(target)
    data = content.encode("utf-8") if isinstance(content, str) else content
    mode = _existing_mode(target)
    temporary = target.with_name(f".{_temporary_stem(target)}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
            stream.flush()
            if mode is not None:
                os.chmod(temporary, mode)
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _fsync_folder(target.parent)


def _save_target(path: Path) -> Path:
    """The file a save to `path` writes: the end of its chain of links; refused if not regular."""
    if not os.path.lexists(path):
        return path
    try:
        info = os.stat(path)
    except OSError as error:
        if error.errno == errno.ENOENT:  # a dangling link: write where it points
            return Path(os.path.realpath(path))
        reason = "a symbolic link loop" if error.errno == errno.ELOOP else (error.strerror or str(error))
        raise SaveRefusedError(path, f"cannot save over {quote_path(path)}: {reason}") from None
    if not stat.S_ISREG(info.st_mode):
        raise SaveRefusedError(path, f"cannot save over {quote_path(path)}: it is not a regular file")
    return Path(os.path.realpath(path))


def _temporary_stem(target: Path) -> str:
    return cut_to_bytes(target.name, 120)  # the temporary name must fit in 255 bytes too


def _existing_mode(path: Path) -> int | None:
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return None  # a new file: the umask applies, as for any file the user creates


def _remove_stale_temporaries(target: Path) -> None:
    try:
        names = os.listdir(target.parent)
    except OSError:
        return
    for name in names:
        match = _TEMPORARY.match(name)
        if match and match["name"] == _temporary_stem(target) and _is_stale(target.parent / name, int(match["pid"])):
            (target.parent / name).unlink(missing_ok=True)


def _is_stale(path: Path, pid: int) -> bool:
    if os.name != "posix":  # os.kill(pid, 0) would terminate the process on Windows
        try:
            return time.time() - os.stat(path).st_mtime > _STALE_SECONDS
        except OSError:
            return False
    if pid == os.getpid():
        return True  # this process writes one file at a time: an older one of ours is left over
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False  # exists, but belongs to someone else
    return False


def _fsync_folder(folder: Path) -> None:
    if os.name != "posix":
        return  # Windows cannot open a folder for fsync; NTFS journals the rename
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
