"""CSV time series: time index detection, spacing and gaps, layouts, transforms, horizons,
windows as views and the baselines, on small generated files of each kind a user brings."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from engine.baselines import baseline_forecasts
from engine.data import DataError, describe, load_dataset
from engine.data.csv_table import read_csv_table
from engine.data.real_series import REAL_SERIES
from engine.data.time_index import detect_time_index, time_index_of
from engine.data.windows import Windows


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def yearly(path: Path, years: int = 60) -> Path:
    """YEAR, flow: the year is increasing whole numbers and must not become an input."""
    return write(path, ["YEAR,flow"] + [f"{1900 + i},{100 + 10 * np.sin(i / 3):.3f}" for i in range(years)])


def weekly_with_gaps(path: Path) -> Path:
    """A YYYYMMDD date column, weekly, with 2 weeks missing after row 30 and 18 after row 70."""
    dates = np.datetime64("2020-01-06") + 7 * np.arange(120)
    keep = np.r_[0:31, 33:71, 89:120]
    rows = [f"{str(dates[i]).replace('-', '')},{300 + 0.1 * i + np.sin(i / 8):.3f}" for i in keep]
    return write(path, ["date,co2", *rows])


def wide_monthly(path: Path, years: int = 12) -> Path:
    months = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
    rows = [f"{1990 + y}," + ",".join(str(100 * y + m + 1) for m in range(12)) for y in range(years)]
    return write(path, ["YEAR," + ",".join(months), *rows])


def hourly(path: Path, hours: int = 24 * 8) -> Path:
    stamps = np.datetime64("2024-03-01T00:00") + np.arange(hours).astype("timedelta64[h]")
    rows = [
        f"{str(s).replace('T', ' ')},{20 + 5 * np.sin(2 * np.pi * i / 24):.3f},{i % 5}" for i, s in enumerate(stamps)
    ]
    return write(path, ["timestamp,demand,price", *rows])


def csv(path: Path, **params) -> dict:
    return {"task": "csv", "params": {"path": str(path), **params}}


# --- time index ---------------------------------------------------------------------------


def test_year_column_is_the_time_index_and_never_an_input(tmp_path):
    path = yearly(tmp_path / "y.csv")
    table = read_csv_table(path)
    assert detect_time_index(table).name == "YEAR"
    ds = load_dataset(csv(path, window=5))
    assert ds.signature.features == 1  # flow only
    assert "time index 'YEAR' (1 year)" in ds.description and "(flow)" in ds.description


def test_yyyymmdd_dates_are_weekly_dates_with_season_52(tmp_path):
    table = read_csv_table(weekly_with_gaps(tmp_path / "w.csv"))
    index = detect_time_index(table)
    assert index.kind == "dates" and index.step == "weekly" and index.season == 52
    assert index.positions[:3].tolist() == [0.0, 1.0, 2.0] and index.positions[31] == 33.0


def test_hourly_timestamps_and_monthly_dates(tmp_path):
    table = read_csv_table(hourly(tmp_path / "h.csv"))
    index = time_index_of(table, "timestamp")
    assert (index.step, index.season) == ("hourly", 24)
    months = write(tmp_path / "m.csv", ["month,v"] + [f"{2000 + i // 12}-{i % 12 + 1:02d}-01,{i}" for i in range(30)])
    index = time_index_of(read_csv_table(months), "month")
    assert (index.step, index.season) == ("monthly", 12) and np.array_equal(index.positions, np.arange(30))


def test_an_integer_column_not_named_like_time_is_an_input(tmp_path):
    path = write(tmp_path / "c.csv", ["count,v"] + [f"{i},{i * 2}" for i in range(40)])
    assert detect_time_index(read_csv_table(path)) is None
    assert describe(csv(path, window=4)).features == 2


# --- spacing and gaps ---------------------------------------------------------------------


def test_gaps_are_reported_with_where_and_how_large(tmp_path):
    path = weekly_with_gaps(tmp_path / "w.csv")
    with pytest.raises(DataError) as caught:
        load_dataset(csv(path, window=4))
    message = str(caught.value)
    for words in ("2 gap(s) in the weekly series", "the largest 18 step(s)", "2 missing between line 32", "line 33"):
        assert words in message
    assert "'interpolate'" in message and "'split'" in message


def test_split_at_gaps_keeps_every_window_inside_one_stretch(tmp_path):
    path = weekly_with_gaps(tmp_path / "w.csv")
    ds = load_dataset(csv(path, window=4, gaps="split", season=2, split=0.3))
    ends = np.concatenate([ds.x_train.ends.numpy(), ds.forecast.val_ends])
    # Rows 0-30, 31-68 and 69-99 are the evenly spaced stretches between the two gaps; a
    # window and its target (rows t-3 .. t+1) always lie inside one of them.
    stretches = [(0, 31), (31, 69), (69, 100)]
    assert len(ends) > 40
    for t in ends:
        assert any(start <= t - 3 and t + 1 < stop for start, stop in stretches)


def test_interpolate_fills_the_missing_weeks_on_the_grid(tmp_path):
    path = weekly_with_gaps(tmp_path / "w.csv")
    ds = load_dataset(csv(path, window=4, gaps="interpolate", season=2))
    assert len(ds.forecast.level) == 120  # 100 rows + 20 filled weeks
    assert str(ds.forecast.labels[31]) == "2020-08-10"  # the first filled week has its own date


def test_a_row_off_the_grid_is_irregular_and_named(tmp_path):
    path = write(tmp_path / "i.csv", ["day,v"] + [f"2024-01-{d:02d},{d}" for d in (1, 2, 3, 4, 5)] + ["2024-01-05,6"])
    with pytest.raises(DataError, match=r"irregular spacing.*line\(s\) 7"):
        load_dataset(csv(path, window=2, gaps="split"))


# --- layouts ------------------------------------------------------------------------------


def test_wide_table_is_read_as_one_monthly_series_in_time_order(tmp_path):
    path = wide_monthly(tmp_path / "wide.csv")
    ds = load_dataset(csv(path, layout="wide", window=12))
    level = ds.forecast.level
    assert ds.signature.features == 1 and len(level) == 144
    assert level[:14].tolist() == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 101, 102]
    assert ds.forecast.season == 12 and "seasonal" in ds.forecast.baselines
    assert ds.forecast.labels[13] == "1991 FEB"


def test_several_series_in_one_long_file_never_share_a_window(tmp_path):
    rows = [f"{site},{2000 + i},{100 * n + i}" for n, site in enumerate(("a", "b")) for i in range(30)]
    path = write(tmp_path / "s.csv", ["site,year,v", *rows])
    ds = load_dataset(csv(path, series_column="site", window=5, split=0.2))
    x = np.concatenate([ds.x_train[:].numpy(), ds.x_val[:].numpy()])
    assert ds.signature.features == 1  # neither the site nor the year is an input
    values = x[:, :, 0] * ds.target_scaling[1] + ds.target_scaling[0]
    assert np.allclose(np.diff(values, axis=1), 1.0, atol=1e-3)  # a jump of ~100 would be a crossing
    assert "over 2 series ('a', 'b')" in ds.description


# --- transforms and horizons --------------------------------------------------------------


def test_log_transform_refuses_non_positive_values(tmp_path):
    path = write(tmp_path / "z.csv", ["v"] + [str(v) for v in (3, 2, 0, 5, 6, 7, 8, 9)])
    with pytest.raises(DataError, match="line 4.*'log' transform needs values above zero"):
        load_dataset(csv(path, window=2, transform="log"))


@pytest.mark.parametrize("transform", ["none", "log", "diff", "seasonal-diff"])
def test_every_transform_comes_back_to_the_data_units(tmp_path, transform):
    path = wide_monthly(tmp_path / "wide.csv")
    ds = load_dataset(csv(path, layout="wide", window=12, horizon=3, transform=transform))
    assert ds.y_val.shape[1] == 3
    # The true transformed targets, taken back, are the truth in the data's own units.
    assert np.allclose(ds.forecast.to_original(ds.y_val.numpy()), ds.forecast.truth, atol=1e-3)


def test_diff_targets_are_changes_from_the_last_window_value(tmp_path):
    path = wide_monthly(tmp_path / "wide.csv")
    ds = load_dataset(csv(path, layout="wide", window=6, horizon=2, transform="diff", normalise="none"))
    t = int(ds.forecast.val_ends[0])
    level = ds.forecast.level
    assert ds.y_val[0].tolist() == pytest.approx([level[t + 1] - level[t], level[t + 2] - level[t]])


def test_calendar_features_add_sin_cos_inputs(tmp_path):
    path = hourly(tmp_path / "h.csv")
    ds = load_dataset(csv(path, window=24, calendar=True, target="demand"))
    assert ds.signature.features == 2 + 6  # demand, price; hour, weekday, month as sin/cos
    with pytest.raises(DataError, match="Calendar features need a time index of dates"):
        load_dataset(csv(yearly(tmp_path / "y.csv"), window=5, calendar=True))


# --- windows and baselines ----------------------------------------------------------------


def test_windows_hold_the_series_once(tmp_path):
    path = hourly(tmp_path / "h.csv")
    ds = load_dataset(csv(path, window=48))
    assert isinstance(ds.x_train, Windows) and ds.x_train.series is ds.x_val.series
    assert ds.x_train.series.numel() == 24 * 8 * 2  # rows x columns, not windows x window
    assert ds.x_train[3].tolist() == ds.x_train[2:5][1].tolist()


def test_baselines_persistence_and_seasonal_naive():
    level = np.arange(20, dtype=float) ** 2
    ends = np.array([10, 12])
    forecasts = baseline_forecasts(level, ends, 3, train_mean=7.0, season=2)
    assert forecasts["mean"].tolist() == [[7.0] * 3] * 2
    assert forecasts["persistence"][0].tolist() == [100.0] * 3
    # steps 1, 2, 3 ahead of t = 10 look back to rows 9, 10, 11 - 2 = 9 (one season, seen)
    assert forecasts["seasonal"][0].tolist() == [81.0, 100.0, 81.0]


def test_built_in_real_series_state_their_source_and_load(tmp_path):
    pytest.importorskip("statsmodels")
    for series in REAL_SERIES.values():
        assert series.source and series.licence == "public domain"
    ds = load_dataset(csv("builtin:elnino", layout="wide", window=12))
    assert ds.forecast.season == 12 and len(ds.forecast.level) == 61 * 12
    with pytest.raises(DataError, match="no built-in series 'builtin:nope'"):
        describe(csv("builtin:nope"))


def test_a_big_csv_is_parsed_in_chunks_reporting_increasing_bytes_with_the_same_errors(tmp_path):
    path = write(tmp_path / "big.csv", ["t,a,b"] + [f"{i},{i * 0.5},{i % 7}" for i in range(3000)])
    calls = []
    chunked = read_csv_table(path, progress=lambda done, total: calls.append((done, total)), chunk_bytes=2000)
    whole = read_csv_table(path)
    size = path.stat().st_size
    assert len(calls) > 10 and {total for _, total in calls} == {size}
    done = [d for d, _ in calls]
    assert done[0] == 0 and done[-1] == size and all(b > a for a, b in zip(done, done[1:]))
    assert np.array_equal(chunked.lines, whole.lines) and chunked.frame.equals(whole.frame)
    calls.clear()
    read_csv_table(path, progress=calls.append)  # under the chunk size: one go, no reports
    assert not calls
    # A bad cell in a late chunk is reported by line and column, as without chunks.
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2500] = "2499,oops,3"
    write(path, lines)
    messages = []
    for chunk_bytes in (2000, None):
        with pytest.raises(DataError) as error:
            _numeric(path, chunk_bytes)
        messages.append(str(error.value))
    assert messages[0] == messages[1] and "line 2501, column 'a': 'oops' is not a number" in messages[0]


def _numeric(path: Path, chunk_bytes: int | None):
    from engine.data.csv_table import numeric_column

    return numeric_column(read_csv_table(path, progress=lambda *_: None, chunk_bytes=chunk_bytes), "a", "fix it")


def test_the_cli_shows_a_bar_while_it_reads_a_big_csv(tmp_path, monkeypatch, capsys):
    import main
    from engine.data import csv_table
    from engine.new_project import NewProjectChoices, create_project

    project_path = tmp_path / "p.rsproj"
    create_project(project_path, NewProjectChoices(data=str(yearly(tmp_path / "y.csv"))))
    monkeypatch.setattr(csv_table, "CHUNK_BYTES", 200)
    main.main(["validate", str(project_path)])
    assert "reading CSV" in capsys.readouterr().err
