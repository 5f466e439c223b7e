"""One parameter schema for everything a user sets by value: block parameters, data
settings and training settings.

A `Param` says a setting's type, default, allowed range or choices and help text; the GUI
builds its forms from it and `Param.check` is the one checker every loader and editor uses.
Values come from JSON files and form fields, so the checker is strict about what JSON can
hold: NaN and ±Infinity are refused, integers are compared exactly however many digits they
have (never converted to float first), integral floats (40.0) are taken as ints, and
booleans are never taken for numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from .errors import UserError

# "path" is a file path, "column" one CSV column name and "columns" a list of distinct
# names (both refer to the task's "path" file); "choice" values come from `choices`.
PARAM_TYPES = ("int", "float", "bool", "choice", "str", "path", "column", "columns", "cell")
_NUMBER_TYPES = ("int", "float")
_LARGEST_FLOAT = 1.7976931348623157e308
_WORDS = {
    "bool": "true or false",
    "str": "text",
    "path": "a file path (text)",
    "column": "a column name (text)",
    "columns": "a list of distinct column names",
    "cell": "a cell (an object; engine.cells checks its contents)",
}


class ParamValueError(UserError, ValueError):
    """A value a parameter does not allow; the message names the parameter and its range."""

    def __init__(self, param: Param, message: str):
        super().__init__(message)
        self.param = param


@dataclass(frozen=True)
class Param:
    """One typed setting: `Param("window", "int", 40, 2, 1000, help="...")`. `minimum` and
    `maximum` bound numbers (inclusive); `type` is one of PARAM_TYPES."""

    name: str
    type: str
    default: Any
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    help: str = ""  # required: the form's tooltip; keyword-last so declarations read well

    def __post_init__(self) -> None:
        # Declarations are code, so these are programming errors, not user errors.
        if self.type not in PARAM_TYPES:
            raise ValueError(f"param {self.name!r}: unknown type {self.type!r}")
        if not self.help:
            raise ValueError(f"param {self.name!r} needs help text for the settings form")
        if self.type == "choice" and self.default not in self.choices:
            raise ValueError(f"param {self.name!r}: default {self.default!r} not in choices")

    def check(self, value: Any) -> Any:
        """`value` converted to this parameter's type, or ParamValueError saying what is allowed."""
        if self.type in _NUMBER_TYPES:
            return self._check_number(value)
        if self._fits(value):
            return list(value) if self.type == "columns" else value
        raise ParamValueError(self, f"'{self.name}' must be {self.allowed()}; got {_shown(value)}")

    def allowed(self) -> str:
        """What the parameter allows, in words: 'a whole number from 1 to 4096'."""
        if self.type == "choice":
            return "one of " + ", ".join(f"'{choice}'" for choice in self.choices)
        if self.type in _NUMBER_TYPES:
            return ("a whole number" if self.type == "int" else "a number") + self.range_words()
        return _WORDS[self.type]

    def range_words(self) -> str:
        low, high = _number_words(self.minimum), _number_words(self.maximum)
        if low is not None and high is not None:
            return f" from {low} to {high}"
        if low is not None:
            return f" of at least {low}"
        return f" of at most {high}" if high is not None else ""

    def _fits(self, value: Any) -> bool:
        if self.type == "bool":
            return isinstance(value, bool)
        if self.type == "choice":
            return isinstance(value, str) and value in self.choices
        if self.type == "columns":
            names = isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value)
            return names and len(set(value)) == len(value)
        if self.type == "cell":
            return isinstance(value, dict)
        return isinstance(value, str)

    def _check_number(self, value: Any) -> int | float:
        if not _is_number(value) or (self.type == "int" and isinstance(value, float) and not value.is_integer()):
            raise ParamValueError(self, f"'{self.name}' must be {self.allowed()}; got {_shown(value)}")
        # Python compares int with float exactly, so a 400-digit integer is simply too big.
        for bound, words in ((self.minimum, "at least"), (self.maximum, "at most")):
            beyond = bound is not None and (value < bound if words == "at least" else value > bound)
            if beyond:
                raise ParamValueError(
                    self,
                    f"'{self.name}' must be {words} {_number_words(bound)} ({self.allowed()}); got {_shown(value)}",
                )
        if self.type == "int":
            return int(value)
        if isinstance(value, int) and abs(value) > _LARGEST_FLOAT:
            raise ParamValueError(self, f"'{self.name}' must be {self.allowed()}; got {_shown(value)}")
        return float(value)


def _is_number(value: Any) -> bool:
    """A finite int or float, not a bool (bool is a subclass of int)."""
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and math.isfinite(value))


def _number_words(number: float | None) -> str | None:
    if number is None:
        return None
    return str(int(number)) if float(number).is_integer() else f"{number:g}"


def _shown(value: Any) -> str:
    """`value` as the message shows it; a huge number is not printed digit by digit."""
    text = repr(value)
    if isinstance(value, int) and not isinstance(value, bool) and len(text) > 24:
        return f"a {len(text.lstrip('-'))}-digit number"
    return text if len(text) <= 60 else text[:57] + "..."
