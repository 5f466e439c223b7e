"""Checking data settings (`{"task": NAME, "params": {...}}`) against a task's parameters.

Invariant: what `resolve_params` returns holds every parameter of the task, each of the
declared type and inside its range, so task code never re-checks types. Each value is
checked by its `engine.params.Param`, the same checker blocks and training settings use.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..params import Param, ParamValueError
from .base import DataError, Params, TaskSpec


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


def check_value(task: str, param: Param, value: Any) -> Any:
    """`value` converted to `param`'s type, or DataError naming the task, the param and its range."""
    try:
        return param.check(value)
    except ParamValueError as error:
        raise DataError(f"Data setting {error} (task '{task}').") from None


def _quoted(names: Any) -> str:
    return ", ".join(f"'{name}'" for name in names)
