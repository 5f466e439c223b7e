"""One parameter schema and one checker for block, data and training settings."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

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


@pytest.mark.parametrize(
    "where",
    [
        "engine.compiler:CompileError",
        "engine.data:DataError",
        "engine.project:ProjectFileError",
        "engine.runs:RunFolderError",
        "engine.probe_store:ProbeStoreError",
        "engine.settings:SettingsError",
        "engine.training:TrainingError",
        "engine.compare:CompareError",
        "engine.probes:ProbeError",
        "engine.export:ExportError",
        "engine.graph:GraphError",
        "engine.params:ParamValueError",
        "engine.safe_io:FileRefusedError",
    ],
)
def test_errors_meant_for_the_user_derive_from_user_error(where):
    """Front ends catch UserError alone, so every error whose message is for the user is one."""
    module, name = where.split(":")
    assert issubclass(getattr(importlib.import_module(module), name), UserError)


def test_the_command_line_reports_any_user_error_in_one_line(capsys):
    from engine.cli import EXIT_ERROR, guarded

    class NewKindOfError(UserError):
        pass

    def command() -> int:
        raise NewKindOfError("the new thing went wrong; do this instead")

    assert guarded(command)() == EXIT_ERROR
    assert capsys.readouterr().err == "error: the new thing went wrong; do this instead\n"


def test_graph_and_validation_do_not_import_each_other():
    for module, other in (("engine.graph", "engine.validation"), ("engine.validation", "engine.graph")):
        code = f"import sys, {module}; sys.exit(1 if {other!r} in sys.modules else 0)"
        result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
        assert result.returncode == 0, f"importing {module} imports {other}: {result.stderr}"
