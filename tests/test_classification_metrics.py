"""Classification figures: confusion matrix, accuracy, macro-F1, majority baseline, imbalance."""

from __future__ import annotations

import numpy as np
import pytest

from engine.classification_metrics import confusion_matrix, imbalance_warning, judge, macro_f1


def test_confusion_matrix_rows_are_true_classes():
    confusion = confusion_matrix(np.array([0, 0, 1, 2, 2]), np.array([0, 1, 1, 2, 0]), 3)
    assert confusion.tolist() == [[1, 1, 0], [0, 1, 0], [1, 0, 1]]


def test_macro_f1_by_hand():
    # class 0: tp 1, fp 1, fn 1 -> 0.5; class 1: tp 1, fp 1, fn 0 -> 2/3; class 2: tp 1, fn 1 -> 2/3
    confusion = confusion_matrix(np.array([0, 0, 1, 2, 2]), np.array([0, 1, 1, 2, 0]), 3)
    assert macro_f1(confusion) == pytest.approx((0.5 + 2 / 3 + 2 / 3) / 3)


def test_classes_absent_from_targets_and_predictions_do_not_count():
    confusion = confusion_matrix(np.array([0, 1]), np.array([0, 1]), 5)
    assert macro_f1(confusion) == 1.0


def test_majority_baseline_is_judged_on_the_same_validation_data():
    train = np.array([1, 1, 1, 0])
    report = judge(np.array([0, 1, 1, 1]), np.array([0, 1, 1, 0]), train, 2)
    assert report.majority_class == 1
    assert report.baseline_accuracy == 0.75
    assert report.baseline_macro_f1 == pytest.approx((0 + 2 * 3 / (3 + 4)) / 2)
    assert report.accuracy == 0.75 and report.macro_f1 == pytest.approx((2 / 3 + 0.8) / 2)
    assert report.beats_baseline()
    shown = report.to_dict(["neg", "pos"])
    assert shown["baseline"]["name"] == "always 'pos' (majority class)" and shown["confusion"] == [[1, 0], [1, 2]]


def test_imbalance_warning_names_the_classes_and_the_remedy():
    assert imbalance_warning(np.array([0] * 40 + [1] * 10), 2) is None
    message = imbalance_warning(np.array([0] * 95 + [1] * 5), 2, ["ok", "fault"])
    assert "'ok' has 95%" in message and "'fault' only 5" in message and "class_weights" in message
    assert "only 0" in imbalance_warning(np.array([0, 0, 0]), 2, ["a", "b"])
