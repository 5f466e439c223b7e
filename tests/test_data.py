"""Tests of engine.data: signatures, determinism, generated tasks, user files and errors."""

from __future__ import annotations

import ast
import math
import tempfile
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.data import (
    TASKS,
    DataError,
    Dataset,
    DataSignature,
    csv_preview,
    default_settings,
    describe,
    load_dataset,
    text_preview,
)
from engine.data.char_lm import VOCABULARY, generate_corpus
from engine.data.csv_series import split_counts
from engine.data.params import check_value
from engine.data.sensor import inject_anomalies

SMALL = {"n_train": 64, "n_val": 32}
GENERATED = ["sine", "adding", "copy", "sensor_anomaly", "char_lm"]


def small(task: str, **params) -> dict:
    """Settings for a quick-to-build dataset of `task`."""
    base = dict(SMALL) if task in GENERATED else {}
    return {"task": task, "params": {**base, **params}}


def assert_matches_signature(ds: Dataset) -> None:
    sig = ds.signature
    for x, y in ((ds.x_train, ds.y_train), (ds.x_val, ds.y_val)):
        n = x.shape[0]
        assert n > 0 and y.shape[0] == n
        if sig.input_kind == "sequence":
            assert x.dtype == torch.float32 and x.shape == (n, sig.length, sig.features)
        else:
            assert x.dtype == torch.int64 and x.shape == (n, sig.length)
            assert 0 <= int(x.min()) and int(x.max()) < sig.vocab_size
        if sig.target_kind == "regression":
            assert y.dtype == torch.float32 and y.shape == (n, sig.n_outputs)
        elif sig.target_kind == "classification":
            assert y.dtype == torch.int64 and y.shape == (n,)
        else:
            assert y.dtype == torch.int64 and y.shape == (n, sig.length)
        if y.dtype == torch.int64:
            assert 0 <= int(y.min()) and int(y.max()) < sig.n_outputs
    assert ds.baseline_loss is not None and math.isfinite(ds.baseline_loss)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def series_csv(path: Path, rows: int, missing_at: tuple[int, ...] = ()) -> Path:
    """CSV with a text date column and numeric columns a = i, b = 2i + 1 (row i from 0)."""
    lines = ["date,a,b"]
    for i in range(rows):
        a = "" if i in missing_at else str(i)
        lines.append(f"2024-01-{i:04d},{a},{2 * i + 1}")
    return write(path, "\n".join(lines) + "\n")


def csv_settings(path: Path, **params) -> dict:
    base = {"path": str(path), "target": "b", "inputs": ["a"], "window": 3, "normalise": "none"}
    return {"task": "csv", "params": {**base, **params}}


# --- catalogue and settings --------------------------------------------------------------


def test_catalogue_lists_every_task_with_helpful_params():
    assert set(TASKS) == {
        *("sine", "adding", "copy", "sensor_anomaly", "char_lm", "csv", "text"),
        *("text_classification", "sequence_classification", "japanese_vowels"),
    }
    for name, spec in TASKS.items():
        assert spec.name == name and spec.title and spec.description
        for param in spec.params:
            assert param.help
            check_value(name, param, spec.defaults()[param.name])  # defaults are valid


@pytest.mark.parametrize("task", sorted(TASKS))
def test_describe_agrees_with_loaded_signature_and_tensors(task):
    ds = load_dataset(small(task))
    assert isinstance(ds.signature, DataSignature)
    assert describe(small(task)) == ds.signature
    assert_matches_signature(ds)
    assert ds.description


def test_default_settings_load_with_default_sizes():
    ds = load_dataset(default_settings("adding"))
    assert ds.x_train.shape == (4000, 50, 2) and ds.x_val.shape == (500, 50, 2)


@pytest.mark.parametrize("task", GENERATED)
def test_same_seed_gives_identical_tensors_and_other_seeds_differ(task):
    a, b = load_dataset(small(task), seed=3), load_dataset(small(task), seed=3)
    c = load_dataset(small(task), seed=4)
    for name in ("x_train", "y_train", "x_val", "y_val"):
        assert torch.equal(getattr(a, name), getattr(b, name))
    assert not torch.equal(a.x_train, c.x_train)


def test_validation_set_does_not_depend_on_training_size():
    a = load_dataset({"task": "sine", "params": {"n_train": 10, "n_val": 20}})
    b = load_dataset({"task": "sine", "params": {"n_train": 50, "n_val": 20}})
    assert torch.equal(a.x_val, b.x_val) and torch.equal(a.y_val, b.y_val)


@pytest.mark.parametrize(
    ("settings_", "words"),
    [
        ({"task": "sinus"}, ["'sinus'", "'sine'", "'adding'"]),
        ({"task": "sine", "params": {"windw": 5}}, ["'windw'", "'window'"]),
        ({"task": "sine", "params": {"window": "abc"}}, ["'window'", "whole number from 2 to 1000"]),
        ({"task": "sine", "params": {"window": 1}}, ["'window'", "from 2 to 1000"]),
        ({"task": "sine", "params": {"window": True}}, ["'window'", "whole number"]),
        ({"task": "sine", "params": {"window": 4.5}}, ["'window'", "whole number"]),
        ({"task": "sine", "params": {"noise": -0.1}}, ["'noise'", "number from 0 to 1"]),
        ({"task": "sine", "params": {"noise": float("nan")}}, ["'noise'"]),
        ({"task": "sensor_anomaly", "params": {"classify_type": 1}}, ["'classify_type'", "true or false"]),
        ({"task": "csv", "params": {"normalise": "max"}}, ["'normalise'", "'zscore'", "'minmax'"]),
        ({"task": "csv", "params": {"inputs": "a,b"}}, ["'inputs'", "list of distinct column names"]),
        ({"task": "csv", "params": {"inputs": ["a", "a"]}}, ["'inputs'"]),
        ({"task": "text", "params": {"path": 3}}, ["'path'", "file path"]),
        ({"task": "sine", "params": [1]}, ["params"]),
        ({"task": "sine", "seed": 1}, ["'seed'", '"task" and "params"']),
        (["sine"], ["Data settings must be an object"]),
    ],
)
def test_bad_settings_raise_data_error_naming_the_problem(settings_, words):
    with pytest.raises(DataError) as caught:
        describe(settings_)
    for word in words:
        assert word in str(caught.value)


def test_json_style_values_are_accepted_and_missing_params_take_defaults():
    sig = describe({"task": "sine", "params": {"window": 12.0}})
    assert sig.length == 12 and sig.n_outputs == 1  # horizon took its default


def test_bad_seed_and_oversized_data_are_refused():
    with pytest.raises(DataError, match="seed"):
        load_dataset(small("adding"), seed=-1)
    huge = {"task": "adding", "params": {"n_train": 200_000, "length": 2000}}
    with pytest.raises(DataError, match="MB"):
        load_dataset(huge)


@settings(max_examples=40, deadline=None)
@given(window=st.integers(-5, 1100))
def test_int_params_accept_exactly_their_range(window):
    settings_ = {"task": "sine", "params": {"window": window}}
    if 2 <= window <= 1000:
        assert describe(settings_).length == window
    else:
        with pytest.raises(DataError, match="'window'"):
            describe(settings_)


def test_data_package_imports_no_gui_toolkit():
    package = Path(__file__).resolve().parents[1] / "engine" / "data"
    for source in package.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            names = [a.name for a in getattr(node, "names", [])] + [getattr(node, "module", "")]
            assert not any(
                (name or "").split(".")[0] in {"PySide6", "PyQt5", "PyQt6", "pyqtgraph", "gui"} for name in names
            ), source


# --- generated tasks ----------------------------------------------------------------------


def test_adding_targets_are_the_sum_of_the_two_marked_values():
    ds = load_dataset({"task": "adding", "params": {"n_train": 200, "n_val": 5000, "length": 30}})
    x, y = ds.x_train, ds.y_train
    markers = x[:, :, 1]
    assert torch.all(markers.sum(dim=1) == 2)
    assert torch.all(markers[:, :15].sum(dim=1) == 1) and torch.all(markers[:, 15:].sum(dim=1) == 1)
    assert torch.allclose((x[:, :, 0] * markers).sum(dim=1), y[:, 0], atol=1e-5)
    assert ds.baseline_loss == pytest.approx(1 / 6, abs=0.015)


def test_adding_works_at_the_shortest_length():
    ds = load_dataset({"task": "adding", "params": {**SMALL, "length": 2}})
    assert torch.all(ds.x_train[:, :, 1] == 1)


def test_copy_targets_repeat_the_symbols_after_the_go_marker():
    params = {**SMALL, "digits": 4, "symbols": 6, "delay": 7}
    ds = load_dataset({"task": "copy", "params": params})
    x, y = ds.x_train, ds.y_train
    blank, go, length = 0, 1, 2 * 4 + 7 + 1
    assert ds.signature.vocab_size == 8 and ds.signature.length == length
    assert ds.vocabulary == ["_", ">", "A", "B", "C", "D", "E", "F"]
    symbols = x[:, :4]
    assert torch.all((symbols >= 2) & (symbols < 8))
    assert torch.all(x[:, 4:11] == blank) and torch.all(x[:, 11] == go)
    assert torch.all(x[:, 12:] == blank)
    assert torch.all(y[:, :12] == blank) and torch.equal(y[:, 12:], symbols)


def test_sine_targets_continue_noise_free_series_smoothly():
    params = {**SMALL, "noise": 0.0, "window": 20, "horizon": 3, "components": 1}
    ds = load_dataset({"task": "sine", "params": params})
    assert ds.y_train.shape == (64, 3)
    series = torch.cat([ds.x_train[:, :, 0], ds.y_train], dim=1)
    assert series.abs().max() <= 1.0 + 1e-6
    # A single sine of period >= 10 steps moves less than 2*pi/10 per step.
    assert series.diff(dim=1).abs().max() < 2 * math.pi / 10 + 1e-5


def test_sensor_labels_follow_rate_and_type_option():
    ds = load_dataset({"task": "sensor_anomaly", "params": {"n_train": 2000, "n_val": 10}})
    assert ds.class_names == ["normal", "anomaly"]
    assert 0.45 < ds.y_train.float().mean() < 0.55
    typed = load_dataset(small("sensor_anomaly", classify_type=True, channels=5))
    assert typed.signature.n_outputs == 4 and typed.signature.features == 5
    assert set(typed.y_train.tolist()) == {0, 1, 2, 3}
    none = load_dataset(small("sensor_anomaly", anomaly_rate=0.0))
    assert int(none.y_train.max()) == 0


def test_sensor_anomalies_change_only_anomalous_recordings():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 30, 3))
    before = x.copy()
    inject_anomalies(np.random.default_rng(1), x, np.array([0, 1, 2, 3]))
    assert np.array_equal(x[0], before[0])
    for i in (1, 2, 3):
        changed = np.argwhere(x[i] != before[i])
        assert len(changed) > 0 and len(set(changed[:, 1])) == 1  # one channel only
    dropout_channel = np.argwhere(x[3] != before[3])[0, 1]
    assert np.isclose(np.diff(x[3, :, dropout_channel]), 0).sum() >= 1  # a flat stretch


def test_char_lm_targets_are_next_characters_of_a_generated_corpus():
    ds = load_dataset(small("char_lm", length=32))
    assert torch.equal(ds.y_train[:, :-1], ds.x_train[:, 1:])
    assert ds.vocabulary == VOCABULARY and 20 <= len(VOCABULARY) <= 60
    text = "".join(VOCABULARY[i] for i in ds.x_train[0].tolist())
    assert " " in text and text.strip()
    corpus = generate_corpus(np.random.default_rng(5), 20_000)
    assert set(corpus) <= set(VOCABULARY) and len(corpus) >= 20_000
    assert ds.baseline_loss < math.log(len(VOCABULARY))  # unigram beats uniform


# --- CSV time series -----------------------------------------------------------------------


def test_csv_windows_targets_and_horizon(tmp_path):
    path = series_csv(tmp_path / "s.csv", 20)
    ds = load_dataset(csv_settings(path, horizon=2, split=0.25))
    # rows 0..19; cut = 15; the targets are the next two rows: a training sample's both lie
    # before the cut (last window row t <= 12), a validation sample's both after it (t >= 14)
    assert len(ds.x_train) == 11 and len(ds.x_val) == 4
    assert ds.x_train[0, :, 0].tolist() == [0.0, 1.0, 2.0]
    assert ds.y_train[0].tolist() == [2 * 3 + 1, 2 * 4 + 1]  # b at rows 3 and 4
    assert ds.y_val[0, 0].item() == 2 * 15 + 1  # first validation target is row cut = 15
    assert ds.x_val[-1, :, 0].tolist() == [15.0, 16.0, 17.0]
    assert ds.target_scaling == (0.0, 1.0)


def test_csv_empty_inputs_and_target_mean_all_numeric_columns_and_the_last(tmp_path):
    path = series_csv(tmp_path / "s.csv", 200)
    sig = describe({"task": "csv", "params": {"path": str(path)}})
    assert sig.features == 2 and sig.n_outputs == 1 and sig.length == 24  # date is skipped


def test_csv_relative_path_is_read_from_base_dir_and_semicolons_work(tmp_path):
    rows = "\n".join(f"{i};{i * 0.5}" for i in range(40))
    write(tmp_path / "semi.csv", "x;y\n" + rows + "\n")
    ds = load_dataset({"task": "csv", "params": {"path": "semi.csv", "window": 5}}, base_dir=tmp_path)
    assert ds.signature.features == 2 and len(ds.x_train) > 0


def test_csv_normalisation_uses_training_rows_only(tmp_path):
    values = [float(i % 7) for i in range(40)]
    values[-8:] = [1000.0] * 8  # a huge validation part must not move the statistics
    write(tmp_path / "n.csv", "v\n" + "\n".join(map(str, values)) + "\n")
    settings_ = {"path": str(tmp_path / "n.csv"), "window": 4, "split": 0.2}
    ds = load_dataset({"task": "csv", "params": settings_})
    train = np.array(values[:32])
    offset, scale = ds.target_scaling
    assert offset == pytest.approx(train.mean()) and scale == pytest.approx(train.std())
    restored = ds.x_train[:, :, 0].numpy() * scale + offset
    assert np.allclose(restored[0], values[:4], atol=1e-4)
    minmax = load_dataset({"task": "csv", "params": {**settings_, "normalise": "minmax"}})
    assert minmax.x_train[:].min() == 0.0 and minmax.x_train[:].max() == 1.0
    assert minmax.x_val[:].max() > 100


def test_csv_missing_values_are_reported_with_lines_and_column(tmp_path):
    path = series_csv(tmp_path / "gaps.csv", 20, missing_at=(4, 5))
    with pytest.raises(DataError) as caught:
        load_dataset(csv_settings(path))
    message = str(caught.value)
    for word in ("gaps.csv", "column 'a'", "lines 6, 7", "interpolate", "drop"):
        assert word in message


def test_csv_interpolate_fills_gaps_linearly_and_drop_removes_rows(tmp_path):
    path = series_csv(tmp_path / "gaps.csv", 20, missing_at=(0, 4, 5, 19))
    ds = load_dataset(csv_settings(path, missing="interpolate", split=0.5))
    first_inputs = ds.x_train[:, :, 0]
    assert first_inputs[0].tolist() == [1.0, 1.0, 2.0]  # leading gap takes the nearest value
    assert first_inputs[2].tolist() == [2.0, 3.0, 4.0] and first_inputs[3].tolist() == [3.0, 4.0, 5.0]
    dropped = load_dataset(csv_settings(path, missing="drop", split=0.5))
    total = len(dropped.x_train) + len(dropped.x_val)
    assert total == 16 - 3 - 1 + 1  # 16 complete rows, window 3, horizon 1


def test_csv_missing_everywhere_cannot_be_interpolated(tmp_path):
    write(tmp_path / "m.csv", "a,b\n,1\n,2\n,3\n")
    with pytest.raises(DataError, match="'a'.*no values"):
        describe(
            {
                "task": "csv",
                "params": {"path": str(tmp_path / "m.csv"), "inputs": ["a"], "target": "b", "missing": "interpolate"},
            }
        )


@pytest.mark.parametrize(
    ("content", "params", "words"),
    [
        (None, {}, ["Cannot find", "nope.csv"]),
        (b"", {}, ["nope.csv", "empty"]),
        (b"a,b\n", {}, ["nope.csv", "no data rows"]),
        (b"a,b\n1,2\n\xff\xfe,3\n", {}, ["nope.csv", "not UTF-8", "offset 8", "line 3"]),
        (b"a,b\n1,2\n3\n", {}, ["nope.csv", "Line 3", "1 values", "2 columns"]),
        (b"a,a\n1,2\n", {}, ["nope.csv", "'a'", "columns 1 and 2"]),
        (b"a,b\n1,2\n", {"target": "c"}, ["nope.csv", "no column 'c'", "'a', 'b'"]),
        (b"a,b\n1,2\n3,x7\n", {"target": "b"}, ["nope.csv", "line 3", "column 'b'", "'x7'"]),
        (b"a,b\n1,2\n3,4\n", {"window": 3}, ["nope.csv", "2 usable data rows", "= 4 rows"]),
        (b"a,b\n" + b"1,2\n" * 10, {"window": 2, "split": 0.9}, ["nope.csv", "training part"]),
        (b"a,b\n" + b"1,2\n" * 10, {"window": 2, "split": 0.01}, ["nope.csv", "validation part", "Raise split"]),
        (b"d,e\nx,y\n", {}, ["nope.csv", "no column of numbers"]),
    ],
)
def test_csv_errors_name_file_row_and_column(tmp_path, content, params, words):
    path = tmp_path / "nope.csv"
    if content is not None:
        path.write_bytes(content)
    settings_ = {"task": "csv", "params": {"path": str(path), **params}}
    with pytest.raises(DataError) as caught:
        load_dataset(settings_)
    for word in words:
        assert word in str(caught.value)
    with pytest.raises(DataError):
        describe(settings_)  # describe reports the same problems


def test_csv_folder_instead_of_file(tmp_path):
    with pytest.raises(DataError, match="is a folder"):
        describe({"task": "csv", "params": {"path": str(tmp_path)}})


@settings(max_examples=30, deadline=None)
@given(
    rows=st.integers(2, 60),
    window=st.integers(1, 20),
    horizon=st.integers(1, 10),
    split=st.floats(0.01, 0.9),
)
def test_csv_sample_counts_match_window_horizon_and_split(rows, window, horizon, split):
    n_train, n_val = split_counts(rows, window, horizon, split)
    with tempfile.TemporaryDirectory() as folder:
        path = series_csv(Path(folder) / "h.csv", rows)
        settings_ = csv_settings(path, window=window, horizon=horizon, split=split)
        if rows < window + horizon or n_train < 1 or n_val < 1:
            with pytest.raises(DataError):
                load_dataset(settings_)
            return
        ds = load_dataset(settings_)
    assert (len(ds.x_train), len(ds.x_val)) == (n_train, n_val)
    # The horizon - 1 samples whose targets straddle the cut are left out: no validation
    # target is ever trained on.
    assert n_train + n_val == rows - window - horizon + 1 - (horizon - 1)
    # The targets are the `horizon` rows after each window's last row (b = 2a + 1).
    last_a = torch.cat([ds.x_train[:], ds.x_val[:]])[:, -1, 0]
    steps = torch.arange(1, horizon + 1)
    assert torch.equal(torch.cat([ds.y_train, ds.y_val]), 2 * (last_a[:, None] + steps) + 1)


def test_csv_preview_shows_header_and_first_rows(tmp_path):
    path = series_csv(tmp_path / "p.csv", 30)
    header, rows = csv_preview(path, rows=3)
    assert header == ["date", "a", "b"] and rows[2] == ["2024-01-0002", "2", "5"] and len(rows) == 3
    with pytest.raises(DataError, match="missing.csv"):
        csv_preview(tmp_path / "missing.csv")
    (tmp_path / "bad.csv").write_bytes(b"a\n\xc3\x28\n")
    with pytest.raises(DataError, match="not UTF-8"):
        csv_preview(tmp_path / "bad.csv")


# --- text files ----------------------------------------------------------------------------


def test_text_file_windows_vocabulary_and_split(tmp_path):
    text = "abcdefghij" * 20  # 200 characters
    path = write(tmp_path / "t.txt", text)
    ds = load_dataset(
        {"task": "text", "params": {"path": "t.txt", "length": 9, "stride": 5, "split": 0.25}}, base_dir=tmp_path
    )
    assert ds.vocabulary == list("abcdefghij") and ds.signature.vocab_size == 10
    assert torch.equal(ds.y_train[:, :-1], ds.x_train[:, 1:])
    assert len(ds.x_train) == (150 - 10) // 5 + 1 and len(ds.x_val) == (50 - 10) // 5 + 1
    assert "".join(ds.vocabulary[i] for i in ds.x_val[0].tolist()) == text[150:159]
    assert path.exists()


def test_text_windows_line_endings_become_newlines(tmp_path):
    (tmp_path / "crlf.txt").write_bytes(b"line one\r\nline two\r\n" * 20)
    ds = load_dataset({"task": "text", "params": {"path": str(tmp_path / "crlf.txt"), "length": 8}})
    assert "\r" not in ds.vocabulary and "\n" in ds.vocabulary


@pytest.mark.parametrize(
    ("content", "params", "words"),
    [
        (None, {}, ["Cannot find", "doc.txt"]),
        (b"", {}, ["doc.txt", "empty"]),
        (b"  \n\n", {}, ["doc.txt", "empty"]),
        (b"hello world\n" * 20 + b"caf\xe9\n", {}, ["doc.txt", "not UTF-8", "offset 243", "line 21"]),
        (b"short text", {"length": 64}, ["doc.txt", "10 characters", "65"]),
        (b"x" * 100, {"length": 60, "split": 0.1}, ["doc.txt", "validation", "61"]),
    ],
)
def test_text_errors_name_the_file_and_what_to_do(tmp_path, content, params, words):
    path = tmp_path / "doc.txt"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(DataError) as caught:
        describe({"task": "text", "params": {"path": str(path), **params}})
    for word in words:
        assert word in str(caught.value)


def test_text_preview_and_its_errors(tmp_path):
    path = write(tmp_path / "p.txt", "first\nsecond\nthird\n")
    assert text_preview(path, lines=2) == ["first", "second"]
    (tmp_path / "e.txt").write_bytes(b"")
    with pytest.raises(DataError, match="empty"):
        text_preview(tmp_path / "e.txt")
    (tmp_path / "b.txt").write_bytes(b"ok\n\x80")
    with pytest.raises(DataError, match="offset 3"):
        text_preview(tmp_path / "b.txt")
