"""Strict JSON: what every file of the app is read as and written as.

Reading refuses what Python's json module accepts but a strict reader (a browser, jq, another
language) does not, and what would crash or slow the app later: NaN and ±Infinity literals,
numbers that overflow to infinity (1e400), integer literals of more than MAX_INT_DIGITS
digits (Python refuses str() past 4,300 digits; a 309-digit one overflows float()), and
nesting deeper than MAX_DEPTH. Each refusal says where: line and column.

Writing replaces non-finite floats with null (see `finite_or_none`) and never emits NaN.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

MAX_DEPTH = 64
MAX_INT_DIGITS = 100

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)


class StrictJSONError(ValueError):
    """Text that is not strict JSON; the message says where (line, column) and what."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        self.line, self.column = line, column
        where = f"line {line}, column {column}: " if line is not None else ""
        super().__init__(where + message)


class _Refused(Exception):
    def __init__(self, literal: str, message: str):
        self.literal, self.message = literal, message


def _constant(literal: str):
    raise _Refused(literal, f"{literal} is not a number JSON allows; write a finite number")


def _float(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        raise _Refused(literal, f"the number {literal[:40]} is too large (it overflows to infinity)")
    return value


def _int(literal: str) -> int:
    if len(literal.lstrip("-")) > MAX_INT_DIGITS:
        raise _Refused(literal, f"an integer of {len(literal.lstrip('-'))} digits is too long")
    return int(literal)


def _blank_strings(text: str) -> str:
    """`text` with the inside of every string blanked, so offsets stay and no string matches."""
    return _STRING.sub(lambda m: '"' + " " * (len(m.group()) - 2) + '"', text)


def _line_column(text: str, offset: int) -> tuple[int, int]:
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _locate(text: str, literal: str) -> tuple[int | None, int | None]:
    """Line and column of the first `literal` outside strings (the one the parser met first)."""
    blanked = _blank_strings(text)
    match = re.search(r"(?<![\w.+-])" + re.escape(literal) + r"(?![\w.])", blanked)
    return (None, None) if match is None else _line_column(blanked, match.start())


def _too_deep_at(text: str) -> tuple[int | None, int | None]:
    """Line and column of the bracket that first opens level MAX_DEPTH + 1."""
    blanked = _blank_strings(text)
    depth = 0
    for match in re.finditer(r"[\[\]{}]", blanked):
        depth += 1 if match.group() in "[{" else -1
        if depth > MAX_DEPTH:
            return _line_column(blanked, match.start())
    return None, None


def _depth_error(value: Any) -> str | None:
    """The path at which `value` nests deeper than MAX_DEPTH, or None; iterative, no recursion."""
    stack = [(value, 1, "")]
    while stack:
        item, depth, where = stack.pop()
        if depth > MAX_DEPTH:
            return where or "top level"
        if isinstance(item, dict):
            stack.extend((v, depth + 1, f"{where}.{k}" if where else str(k)) for k, v in item.items())
        elif isinstance(item, list):
            stack.extend((v, depth + 1, f"{where}[{i}]") for i, v in enumerate(item))
    return None


def loads(text: str) -> Any:
    """Parse strict JSON; StrictJSONError (a ValueError) with line and column otherwise."""
    try:
        value = json.loads(text, parse_constant=_constant, parse_float=_float, parse_int=_int)
    except _Refused as refused:
        raise StrictJSONError(refused.message, *_locate(text, refused.literal)) from None
    except json.JSONDecodeError as error:
        raise StrictJSONError(error.msg, error.lineno, error.colno) from None
    except RecursionError:
        raise StrictJSONError(f"nested more than {MAX_DEPTH} levels deep", *_too_deep_at(text)) from None
    where = _depth_error(value)
    if where is not None:
        shown = where if len(where) <= 60 else where[:57] + "..."
        raise StrictJSONError(f"nested more than {MAX_DEPTH} levels deep (at {shown})")
    return value


def finite_or_none(value: Any) -> Any:
    """`value` with every NaN/±Infinity float (nested in dicts and lists) replaced by None."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite_or_none(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite_or_none(v) for v in value]
    return value


def dumps(value: Any, **options: Any) -> str:
    """Strict JSON text: non-finite floats become null (never NaN/Infinity literals)."""
    return json.dumps(finite_or_none(value), allow_nan=False, **options)
