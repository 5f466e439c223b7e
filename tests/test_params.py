"""One parameter schema and one checker for block, data and training settings."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import engine
from engine.blocks import get_spec
from engine.data import DataError, describe
from engine.errors import UserError
from engine.params import Param, ParamValueError
from engine.settings import SettingsError, check_training

ROOT = Path(__file__).resolve().parents[1]
HIDDEN = get_spec("LSTM").param("hidden_size")  # a whole number from 1 to 4096


@pytest.mark.parametrize(
    "value",
    [float("nan"), float("inf"), float("-inf"), "64", True, None, [64], 2.5, 10**400, -(10**400), 0, 4097],
)
def test_bad_values_are_refused_naming_the_field_and_the_allowed_range(value):
    with pytest.raises(ParamValueError) as caught:
        HIDDEN.check(value)
    message = str(caught.value)
    assert message.startswith("'hidden_size' must be") and "a whole number from 1 to 4096" in message
    assert len(message) < 120  # a 400-digit number is not printed digit by digit


def test_good_values_are_converted_to_the_declared_type():
    assert HIDDEN.check(64.0) == 64 and isinstance(HIDDEN.check(64.0), int)
    rate = Param("rate", "float", 0.5, 0.0, 1.0, help="x")
    assert rate.check(1) == 1.0 and isinstance(rate.check(1), float)
    assert Param("names", "columns", (), help="x").check(("a", "b")) == ["a", "b"]


def test_a_float_without_bounds_still_refuses_what_no_float_can_hold():
    free = Param("scale", "float", 1.0, help="x")
    assert free.check(10**300) == 1e300
    for value in (10**400, float("nan"), float("inf")):
        with pytest.raises(ParamValueError, match="'scale' must be a number"):
            free.check(value)


def test_blocks_data_and_training_share_the_checker():
    with pytest.raises(DataError, match=r"'window' must be a whole number from 2 to 1000; got nan"):
        describe({"task": "sine", "params": {"window": float("nan")}})
    with pytest.raises(SettingsError, match=r"'learning_rate' must be a number from 1e-07 to 10; got nan"):
        check_training({"learning_rate": float("nan")})
    with pytest.raises(SettingsError, match=r"'steps' must be at most 10000000 .*; got a 31-digit number"):
        check_training({"steps": 10**30})


def test_declarations_are_checked_when_written():
    with pytest.raises(ValueError, match="help text"):
        Param("x", "int", 1)
    with pytest.raises(ValueError, match="unknown type"):
        Param("x", "integer", 1, help="x")
    with pytest.raises(ValueError, match="not in choices"):
        Param("x", "choice", "c", choices=("a", "b"), help="x")


def test_every_error_meant_for_the_user_derives_from_user_error():
    """The CLI and the training process catch UserError alone, so every engine error class
    whose message is for the user must derive from it."""
    for info in pkgutil.walk_packages(engine.__path__, "engine."):
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            is_error = isinstance(value, type) and issubclass(value, Exception) and value.__module__ == info.name
            if is_error and name.endswith("Error") and name != "ShapeError":
                assert issubclass(value, UserError), f"{info.name}.{name} is not a UserError"


def test_graph_and_validation_do_not_import_each_other():
    for module, other in (("engine.graph", "engine.validation"), ("engine.validation", "engine.graph")):
        code = f"import sys, {module}; sys.exit(1 if {other!r} in sys.modules else 0)"
        result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
        assert result.returncode == 0, f"importing {module} imports {other}: {result.stderr}"
