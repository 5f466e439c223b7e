"""Checking data settings (`{"task": NAME, "params": {...}}`) against a task's parameters.

Invariant: what `resolve_params` returns holds every parameter of the task, each of the
declared type and inside its range, so task code never re-checks types. Settings come from
JSON project files, so integral floats (40.0) are accepted as ints, but booleans are never
taken for numbers.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from .base import DataError, DataParam, Params, TaskSpec


def resolve_params(spec: TaskSpec, raw: Any) -> Params:
    """Check `raw` params for `spec`; fill in defaults for missing ones."""
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        raise DataError(f'The data settings\' "params" must be an object of named values; got {type(raw).__name__}.')
    _reject_unknown(spec, raw)
    resolved = spec.defaults()
    for param in spec.params:
        if param.name in raw:
            resolved[param.name] = check_value(spec.name, param, raw[param.name])
    return resolved


def _reject_unknown(spec: TaskSpec, raw: Mapping[str, Any]) -> None:
    known = {p.name for p in spec.params}
    unknown = sorted(str(name) for name in raw if name not in known)
    if unknown:
        raise DataError(
            f"Task '{spec.name}' has no setting {_quoted(unknown)}. Its settings are: {_quoted(sorted(known))}."
        )


def check_value(task: str, param: DataParam, value: Any) -> Any:
    """`value` converted to `param`'s type, or DataError naming the param and what it expects."""
    checker = _CHECKERS[param.type]
    converted = checker(param, value)
    if converted is _INVALID:
        raise DataError(f"Data setting '{param.name}' of task '{task}' must be {_expectation(param)}; got {value!r}.")
    return converted


_INVALID = object()


def _in_range(param: DataParam, number: float) -> bool:
    low_ok = param.minimum is None or number >= param.minimum
    high_ok = param.maximum is None or number <= param.maximum
    return low_ok and high_ok


def _check_int(param: DataParam, value: Any) -> Any:
    # bool is a subclass of int; True as a window length is a mistake, not 1.
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return _INVALID
    if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
        return _INVALID
    number = int(value)
    return number if _in_range(param, number) else _INVALID


def _check_float(param: DataParam, value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return _INVALID
    number = float(value)
    return number if math.isfinite(number) and _in_range(param, number) else _INVALID


def _check_bool(param: DataParam, value: Any) -> Any:
    return value if isinstance(value, bool) else _INVALID


def _check_choice(param: DataParam, value: Any) -> Any:
    return value if isinstance(value, str) and value in param.choices else _INVALID


def _check_str(param: DataParam, value: Any) -> Any:
    return value if isinstance(value, str) else _INVALID


def _check_columns(param: DataParam, value: Any) -> Any:
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        return _INVALID
    if len(set(value)) != len(value):
        return _INVALID
    return list(value)


_CHECKERS = {
    "int": _check_int,
    "float": _check_float,
    "bool": _check_bool,
    "choice": _check_choice,
    "path": _check_str,
    "column": _check_str,
    "str": _check_str,
    "columns": _check_columns,
}


def _expectation(param: DataParam) -> str:
    if param.type in ("int", "float"):
        kind = "a whole number" if param.type == "int" else "a number"
        return kind + _range_words(param)
    return {
        "bool": "true or false",
        "choice": "one of " + _quoted(param.choices),
        "path": "a file path (text)",
        "column": "a column name (text)",
        "str": "text",
        "columns": "a list of distinct column names",
    }[param.type]


def _range_words(param: DataParam) -> str:
    low, high = _fmt(param.minimum), _fmt(param.maximum)
    if low is not None and high is not None:
        return f" from {low} to {high}"
    if low is not None:
        return f" of at least {low}"
    if high is not None:
        return f" of at most {high}"
    return ""


def _fmt(number: float | None) -> str | None:
    if number is None:
        return None
    return str(int(number)) if float(number).is_integer() else str(number)


def _quoted(names: Any) -> str:
    return ", ".join(f"'{name}'" for name in names)
