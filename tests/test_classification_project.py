"""A user's text CSV and long-format CSV become trained classifiers: the starter project,
training with lengths, and the judged figures in the summary."""

from __future__ import annotations

import numpy as np
import torch

from engine.classification_metrics import predicted_classes
from engine.classification_project import classification_project
from engine.data.gesture_corpus import write_gestures
from engine.data.review_corpus import write_reviews
from engine.project import load_project, save_project
from engine.training import train
from engine.validation import validate


def _train_keeping_model(project, tmp_path, steps=30):
    kept = {}

    def keep(model, data):  # the model as each evaluation judged it
        kept["model"], kept["data"] = model, data
        kept["predicted"] = predicted_classes(model, data.x_val, data.lengths_val, 64)
        with torch.no_grad():
            kept["padding_changes_logits"] = not torch.allclose(
                model(data.x_val[:64]), model(data.x_val[:64], lengths=data.lengths_val[:64])
            )

    result = train(project, runs_dir=tmp_path / "runs", steps=steps, overrides={"probe_every": 10}, on_evaluate=keep)
    return result, kept


def test_text_csv_becomes_a_trained_classifier_judged_on_real_steps(tmp_path):
    write_reviews(tmp_path / "reviews.csv", rows=200, seed=2)
    project, warning = classification_project(
        tmp_path / "sentiment.rsproj", tmp_path / "reviews.csv", "label", text_column="text"
    )
    assert warning is None and project.data["params"]["path"] == "reviews.csv"
    save_project(project)
    project = load_project(tmp_path / "sentiment.rsproj")
    assert validate(project.graph, project.graph.data).ok
    result, kept = _train_keeping_model(project, tmp_path)
    data = kept["data"]
    judged = result.summary["classification"]
    assert result.status == "finished" and judged["class_names"] == ["negative", "positive"]
    confusion = np.array(judged["confusion"])
    assert confusion.sum() == len(data.y_val) and judged["accuracy"] == np.trace(confusion) / confusion.sum()
    assert judged["baseline"]["accuracy"] == max(confusion.sum(axis=1)) / confusion.sum()
    # the figures are the model's on each text's real tokens, not on its padding
    assert judged["accuracy"] == (kept["predicted"] == data.y_val.numpy()).mean()
    assert kept["padding_changes_logits"]  # so reading the padding would have shown
    assert (result.run_dir / "summary.json").read_text().count('"macro_f1"') >= 2  # model and baseline


def test_long_format_csv_becomes_a_classifier_and_imbalance_turns_on_class_weights(tmp_path):
    write_gestures(tmp_path / "g.csv", sequences=60, seed=1)
    lines = (tmp_path / "g.csv").read_text().splitlines()
    kept = [lines[0]] + [line for line in lines[1:] if not line.endswith("zigzag") or line.startswith("g0001,")]
    (tmp_path / "g.csv").write_text("\n".join(kept) + "\n")  # 20 circles, 20 spirals, 1 zigzag
    project, warning = classification_project(
        tmp_path / "gestures.rsproj", tmp_path / "g.csv", "label", sequence_column="sequence", time_column="time"
    )
    assert "imbalanced" in warning and "'zigzag' only 1" in warning
    assert project.graph.node("label").params["class_weights"] == "balanced"
    result, kept = _train_keeping_model(project, tmp_path, steps=20)
    data = kept["data"]
    assert data.lengths_train is not None and result.summary["classification"]["imbalance_warning"] == warning


def test_main_new_with_label_column_writes_a_classifier_and_train_prints_the_figures(tmp_path, capsys):
    import main

    write_reviews(tmp_path / "reviews.csv", rows=120, seed=4)
    project = tmp_path / "reviews.rsproj"
    args = ["--data", str(tmp_path / "reviews.csv"), "--text-column", "text", "--label-column", "label"]
    assert main.main(["new", str(project), *args, "--cell", "lstm"]) == 0
    assert "a LSTM text classifier into 2 classes" in capsys.readouterr().out
    assert load_project(project).graph.node("encoder").type_name == "LSTM"
    assert main.main(["train", str(project), "--steps", "3", "--runs-dir", str(tmp_path / "runs")]) == 0
    out = capsys.readouterr().out
    assert "macro-F1" in out and "baseline always '" in out and "true \\ predicted" in out
    bad = ["--data", str(tmp_path / "reviews.csv"), "--text-column", "review", "--label-column", "label"]
    assert main.main(["new", str(tmp_path / "bad.rsproj"), *bad]) != 0
    assert "no column 'review'" in capsys.readouterr().err
