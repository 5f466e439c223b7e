"""Fuzzing project loading and validation: any input gives a valid project or one clean error.

"Clean" means a UserError (the base of every message meant for the user) whose message is a
single line of bounded length with no raw control characters; never another exception type.
Two attack surfaces: values planted anywhere in a valid project's dictionary (what a hand-
edited or generated file holds after parsing), and bytes flipped or cut in its JSON text.
"""

from __future__ import annotations

import copy
import json
import math
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.errors import UserError
from engine.project import load_project, project_from_dict
from engine.validation import validate

ROOT = Path(__file__).parents[1]
BASE = json.loads((ROOT / "projects" / "sine_lstm.rsproj").read_text(encoding="utf-8"))
BASE_TEXT = json.dumps(BASE, indent=1).encode()

hostile_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**300, max_value=10**400),
    st.sampled_from([math.nan, math.inf, -math.inf, -0.0, 1e-320, 1e308]),
    st.floats(),
    st.text(max_size=30),
    st.sampled_from(["NaN", "Infinity", "\x1b[2J", "a\nb", "", "LSTM", "sequence", "out", "in", "sine", "../x"]),
)
hostile_values = st.recursive(
    hostile_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


def paths_of(value, prefix=()):
    """Every path (tuple of keys / indexes) into a JSON-like value."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from paths_of(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from paths_of(item, (*prefix, index))


PATHS = [path for path in paths_of(BASE) if path]


def planted(path, value):
    content = copy.deepcopy(BASE)
    holder = content
    for key in path[:-1]:
        holder = holder[key]
    holder[path[-1]] = value
    return content


def assert_clean(error: BaseException) -> None:
    assert isinstance(error, UserError), f"{type(error).__name__}: {error}"
    message = str(error)
    assert message and "\n" not in message and "\x1b" not in message and len(message) < 1500


def load_and_validate(load) -> None:
    try:
        project = load()
    except Exception as error:  # noqa: BLE001 - the point is to see which type escapes
        assert_clean(error)
        return
    analysis = validate(project.graph, project.graph.data, project.training)
    for diagnostic in analysis.diagnostics:
        assert "\n" not in diagnostic.message
    json.dumps(project.to_dict(), allow_nan=False)  # what loaded can be saved as strict JSON


@settings(max_examples=4000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=st.sampled_from(PATHS), value=hostile_values)
def test_any_value_anywhere_loads_or_is_one_clean_error(path, value):
    load_and_validate(lambda: project_from_dict(planted(path, value), "fuzz.rsproj"))


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    edits=st.lists(st.tuples(st.integers(0, len(BASE_TEXT) - 1), st.binary(max_size=3)), min_size=1, max_size=4),
    cut=st.integers(0, len(BASE_TEXT)),
)
def test_flipped_or_cut_bytes_load_or_are_one_clean_error(edits, cut):
    data = bytearray(BASE_TEXT[: max(cut, len(BASE_TEXT) // 2)])
    for offset, replacement in edits:
        data[offset : offset + len(replacement)] = replacement
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.rsproj"
        path.write_bytes(bytes(data))
        load_and_validate(lambda: load_project(path))
