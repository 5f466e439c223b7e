"""The claims report: verdicts computed from the numbers, and one self-contained HTML file."""

from __future__ import annotations

import re

from probe_models import adding_project

from engine.claims_report import claims_report, seeded_comparisons, summarise, verdicts
from engine.compare import VariantResult


def result(cell, parameters, seconds, val_loss, reached=None, horizon=10, kernel="generic ATen"):
    found = VariantResult(cell, {"memory": 8}, parameters, "finished", seconds, val_loss, val_loss, 0.05, reached)
    found.kernel, found.memory_horizon, found.macs_per_step = kernel, horizon, parameters
    found.seconds_to_target = None if reached is None else reached * seconds
    found.evals = [{"step": 0, "val_loss": 1.0}, {"step": 10, "val_loss": val_loss}]
    found.last_probe = {"grad_norm": [1e-20, 1e-3, 1e-2], "attribution": [1.0, 0.1, 0.001]}
    return found


def seeds(gru_seconds=0.002, gru_loss=0.01, rnn_loss=0.15, rnn_reached=None):
    return [
        [
            result("RNN", 100, 0.001, rnn_loss + 0.001 * seed, rnn_reached, horizon=3),
            result("LSTM", 400, 0.001, 0.0100 + 0.0001 * seed, 100, horizon=60, kernel="oneDNN fused"),
            result("GRU", 300, gru_seconds, gru_loss, 100, horizon=60),
        ]
        for seed in range(3)
    ]


def test_verdicts_follow_the_numbers():
    claims = dict(verdicts(summarise(seeds()), 0.05))
    assert claims["GRUs have fewer parameters than LSTMs"].startswith("holds: GRU 300 against LSTM 400")
    assert claims["GRUs train faster than LSTMs"].startswith("does not hold")  # twice the seconds to target
    assert "GRU on generic ATen, LSTM on oneDNN fused" in claims["GRUs train faster than LSTMs"]
    assert claims["GRUs match LSTMs"].startswith("holds")
    assert claims["Plain RNNs fail on long dependencies"].startswith("holds")
    assert "RNN 0/3" in claims["Plain RNNs fail on long dependencies"]
    flipped = dict(verdicts(summarise(seeds(gru_seconds=0.0005, gru_loss=0.5, rnn_loss=0.0101, rnn_reached=90)), 0.05))
    assert flipped["GRUs train faster than LSTMs"].startswith("holds")
    assert flipped["Plain RNNs fail on long dependencies"].startswith("does not hold")
    only_lstm = dict(verdicts(summarise([[result("LSTM", 400, 0.001, 0.01)]]), None))
    assert only_lstm["GRUs match LSTMs"] == "cannot be judged: GRU not compared"


def test_the_table_shows_medians_and_spread_over_seeds():
    summary = summarise(seeds())
    assert summary["LSTM"]["val_loss"] == {"median": 0.0101, "min": 0.01, "max": 0.0102}
    assert summary["RNN"]["reached"] == 0 and summary["GRU"]["reached"] == 3


def test_the_report_is_one_self_contained_page(tmp_path):
    project = adding_project("LSTM", hidden=4)
    comparisons = seeded_comparisons(project, 2, cells=["RNN", "LSTM", "GRU"], steps=6, target_loss=10.0, record=False)
    assert [c.results[0].cell for c in comparisons] == ["RNN", "RNN"]
    page = claims_report(project, [c.results for c in comparisons], 10.0)
    assert page.startswith("<!DOCTYPE html>") and page.count("<svg") == 3
    assert not re.search(r"<script|<link|<img|\bsrc=|\bhref=|@import|url\(", page)  # nothing fetched
    for cell in ("RNN", "LSTM", "GRU"):
        assert f"<td>{cell}</td>" in page
    assert "<li><b>GRUs match LSTMs</b>: " in page and "polyline" in page
