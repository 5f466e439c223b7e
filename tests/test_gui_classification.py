"""The predictions view of a text classifier: the confusion matrix over each text's real
tokens, and the misclassified validation texts beside it."""

from __future__ import annotations

import numpy as np
import torch

from engine.classification_metrics import predicted_classes
from engine.classification_project import classification_project
from engine.compiler import compile_graph
from engine.data import load_dataset
from engine.data.review_corpus import write_reviews
from engine.predictions import predictions
from gui.plots.predictions_dock import ConfusionPage
from gui.testing import dialogs, window  # noqa: F401


def test_confusion_page_shows_the_matrix_and_the_misclassified_texts(qtbot, tmp_path):
    write_reviews(tmp_path / "reviews.csv", rows=80, seed=5)
    project, _ = classification_project(tmp_path / "p.rsproj", tmp_path / "reviews.csv", "label", text_column="text")
    data = load_dataset(project.data, project.base_dir)
    torch.manual_seed(0)
    model = compile_graph(project.graph, data.signature)  # untrained: it gets many wrong
    payload = predictions(model, data)
    predicted = predicted_classes(model, data.x_val, data.lengths_val, 256)
    true = data.y_val.numpy()
    assert np.trace(payload["confusion"]) == int((predicted == true).sum())  # judged on real tokens
    wrong = np.flatnonzero(predicted != true)
    assert len(payload["mistakes"]) == min(20, len(wrong)) > 0
    assert payload["mistakes"][0] == [
        data.texts_val[wrong[0]],
        data.class_names[true[wrong[0]]],
        data.class_names[predicted[wrong[0]]],
    ]

    page = ConfusionPage()
    qtbot.addWidget(page)
    page.show_payload(payload, "step 0")
    assert page.image.image.shape == (2, 2) and page.mistakes.isVisibleTo(page)
    text, label, guess = payload["mistakes"][0]
    assert page.mistakes.toPlainText().splitlines()[0] == f"true {label}, predicted {guess}: {text}"
    page.show_payload({"confusion": payload["confusion"], "class_names": payload["class_names"]}, "step 1")
    assert not page.mistakes.isVisibleTo(page)  # numeric sequences have no texts to show


def test_data_form_previews_texts_with_class_balance_and_vocabulary(window, qtbot):  # noqa: F811
    form = window.inspector.project_form
    form.task.activated.emit(form.task.findData("text_classification"))
    header = [form.preview_table.horizontalHeaderItem(i).text() for i in range(form.preview_table.columnCount())]
    assert header[:2] == ["text", "label"] and form.preview_table.rowCount() > 0  # the bundled reviews
    assert not form.data_summary.isHidden()
    assert form.data_summary.text().startswith("Classes: negative 1488, positive 1512 · vocabulary 70")
    label = form.data_form.widget("label_column")
    label.activated.emit(label.findData("negated"))
    assert window.project.data["params"]["label_column"] == "negated"
    assert form.data_summary.text().startswith("Classes: no ")
    form.task.activated.emit(form.task.findData("sine"))
    assert form.data_summary.isHidden()


def test_predictions_carry_accuracy_macro_f1_and_the_baseline_to_the_window(qtbot, tmp_path):
    write_reviews(tmp_path / "reviews.csv", rows=60, seed=6)
    project, _ = classification_project(tmp_path / "p.rsproj", tmp_path / "reviews.csv", "label", text_column="text")
    data = load_dataset(project.data, project.base_dir)
    payload = predictions(compile_graph(project.graph, data.signature), data)
    scores = payload["scores"]
    assert scores["accuracy"] == np.trace(payload["confusion"]) / payload["confusion"].sum()
    assert scores["baseline"]["name"].endswith("(majority class)")
    page = ConfusionPage()
    qtbot.addWidget(page)
    page.show_payload(payload, "step 0")
    assert f"accuracy {scores['accuracy']:.1%}, macro-F1 {scores['macro_f1']:.3f}" in page.readout.text()
    assert "baseline always '" in page.readout.text()
