"""Variable-length sequence classification: long-format CSVs, the .ts reader and the built-in
Japanese vowels set, and a classifier trained on them end to end."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from engine.data import DataError, describe, load_dataset
from engine.data.ts_file import read_ts


def _long_csv(tmp_path, rows, header="id,t,a,b,label"):
    path = tmp_path / "long.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def _settings(path, **params):
    base = {"path": str(path), "sequence_column": "id", "time_column": "t", "normalise": False, "val_fraction": 0.5}
    return {"task": "sequence_classification", "params": {**base, **params}}


# Sequences s1 (3 steps, x), s2 (1 step, y), s3 (2 steps, x), s4 (2 steps, y); rows shuffled, times out of order.
ROWS = [
    "s1,2,3.0,30,x",
    "s2,0,9.0,90,y",
    "s1,0,1.0,10,x",
    "s3,1,6.0,60,x",
    "s4,5,8.0,80,y",
    "s3,0,5.0,50,x",
    "s1,1,2.0,20,x",
    "s4,4,7.0,70,y",
]


def test_long_format_rows_become_time_ordered_padded_sequences(tmp_path):
    data = load_dataset(_settings(_long_csv(tmp_path, ROWS), feature_columns=["a", "b"]))
    assert data.signature == describe(_settings(_long_csv(tmp_path, ROWS), feature_columns=["a", "b"]))
    assert (data.signature.features, data.signature.length, data.signature.n_outputs) == (2, 3, 2)
    x = torch.cat([data.x_train, data.x_val])
    lengths = torch.cat([data.lengths_train, data.lengths_val])
    by_first_value = {float(x[i, 0, 0]): (x[i, : lengths[i], 0].tolist(), int(lengths[i])) for i in range(4)}
    assert by_first_value[1.0] == ([1.0, 2.0, 3.0], 3)  # s1 sorted by t
    assert by_first_value[7.0] == ([7.0, 8.0], 2)  # s4
    assert by_first_value[9.0] == ([9.0], 1)  # s2, padded with zeros
    short = int(torch.argmin(lengths))
    assert torch.all(x[short, 1:] == 0)
    assert sorted(torch.cat([data.y_train, data.y_val]).tolist()) == [0, 0, 1, 1]
    assert data.y_val.tolist().count(0) == 1  # stratified: one of each class validates


def test_features_default_to_every_other_numeric_column_and_file_order_without_time(tmp_path):
    rows = ["s1,10,x", "s1,11,x", "s2,20,y", "s3,30,x", "s4,40,y", "s4,41,y"]
    path = _long_csv(tmp_path, rows, header="id,a,label")
    data = load_dataset(_settings(path, time_column=""))
    assert data.signature.features == 1
    values = sorted(torch.cat([data.x_train, data.x_val])[:, 0, 0].tolist())
    assert values == [10.0, 20.0, 30.0, 40.0]


def test_normalisation_uses_training_sequences_only(tmp_path):
    rows = [f"s{i},{step},{i * 10 + step},{step},{'xy'[i % 2]}" for i in range(8) for step in range(3)]
    settings = _settings(_long_csv(tmp_path, rows), normalise=True, feature_columns=["a"])
    data = load_dataset(settings)
    train = data.x_train[:, :, 0][data.x_train[:, :, 0] != 0]
    assert abs(float(train.mean())) < 1e-5 and abs(float(train.std(unbiased=False)) - 1) < 1e-4


@pytest.mark.parametrize(
    ("rows", "params", "message"),
    [
        (
            ["s1,0,1,1,x", "s1,1,2,2,y", "s2,0,3,3,y"],
            {},
            r"Sequence 's1' .* two labels .*'x' \(line 2\) and 'y' \(line 3\)",
        ),
        (["s1,0,1,,x", "s2,0,3,3,y"], {"feature_columns": ["a", "b"]}, "line 2: column 'b' is empty"),
        (["s1,0,1,1,x", "s2,0,3,3,x"], {}, "at least two classes"),
        (["s1,0,1,1,x", "s2,0,3,3,y"], {"sequence_column": "who"}, "no column 'who'"),
        (["s1,0,1,1,x", "s1,,3,3,x", "s2,0,3,3,y"], {}, "line 3: the time column 't' is empty"),
        (["s1,0,1,1,x", "s2,0,3,3,y"], {"time_column": "id"}, "three different columns"),
    ],
)
def test_bad_long_format_files_get_messages_that_say_what_to_do(tmp_path, rows, params, message):
    with pytest.raises(DataError, match=message):
        describe(_settings(_long_csv(tmp_path, rows), **params))


def test_bundled_gesture_sample_loads_with_default_settings():
    data = load_dataset({"task": "sequence_classification", "params": {"time_column": "time"}})
    assert data.class_names == ["circle", "spiral", "zigzag"]
    assert int(data.lengths_train.min()) >= 12 and data.signature.length == 48
    assert data.signature.features == 3  # x, y, pressure; the id, time and label are not features


def test_japanese_vowels_is_the_real_variable_length_speaker_set():
    data = load_dataset({"task": "japanese_vowels", "params": {}})
    sig = data.signature
    assert (sig.features, sig.length, sig.n_outputs) == (12, 29, 9)
    assert data.x_train.shape[0] == 270 and data.x_val.shape[0] == 370
    assert int(torch.cat([data.lengths_train, data.lengths_val]).min()) == 7
    assert torch.bincount(data.y_train).tolist() == [30] * 9
    assert data.class_names[0] == "speaker 1" and "7 to 29 steps" in data.description


def test_ts_reader_reads_cases_and_refuses_broken_files(tmp_path):
    good = tmp_path / "good.ts"
    good.write_text("#c\n@classLabel true a b\n@data\n1,2,3:4,5,6:a\n7:8:b\n", encoding="utf-8")
    cases, labels, classes = read_ts(good)
    assert [c.shape for c in cases] == [(3, 2), (1, 2)] and labels == ["a", "b"] and classes == ["a", "b"]
    assert np.array_equal(cases[0][:, 1], [4, 5, 6])
    bad = tmp_path / "bad.ts"
    bad.write_text("@classLabel true a\n@data\n1,2:3:a\n", encoding="utf-8")
    with pytest.raises(DataError, match="line 3: the dimensions of this case differ"):
        read_ts(bad)
    bad.write_text("@classLabel true a\n@data\n1,__import__:3,4:a\n", encoding="utf-8")
    with pytest.raises(DataError, match="line 3: a value is not a number"):
        read_ts(bad)


def test_probes_read_the_longest_sequences_real_steps_only(tmp_path):
    from engine.compiler import compile_graph
    from engine.packing import probe_rows
    from engine.probes import ProbeSession
    from engine.project import load_project
    from engine.report import _probed

    x, y = torch.arange(4.0)[:, None, None].repeat(1, 5, 1), torch.tensor([0, 1, 0, 1])
    rows_x, rows_y, lengths = probe_rows(x, y, torch.tensor([3, 5, 2, 4]), 2)
    assert lengths == [5, 4] and rows_x.shape == (2, 4, 1) and rows_x[:, 0, 0].tolist() == [1.0, 3.0]
    assert probe_rows(x, y, None, 2)[2] is None  # fixed-length data: the first rows, as before

    project = load_project(Path(__file__).resolve().parents[1] / "projects" / "japanese_vowels_gru.rsproj")
    data = load_dataset(project.data)
    record = ProbeSession(compile_graph(project.graph, data.signature), data, samples=4).run(step=0)
    assert len(record["sequence_lengths"]) == 4 and record["length"] == min(record["sequence_lengths"])
    assert record["blocks"]["encoder"]["grad_norm"].shape[-1] == record["length"]
    assert "longest validation sequences" in _probed(record) and "real steps only" in _probed(record)
