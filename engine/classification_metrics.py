"""Judging a classifier: accuracy, macro-F1 and the confusion matrix beside the majority class.

Accuracy alone flatters a model on imbalanced classes (answering the commonest class always
scores its share), so every figure comes with what that majority-class predictor scores on the
same validation data, and strong imbalance is named with what to do about it. Macro-F1 averages
the per-class F1 over the classes that occur in the targets or the predictions, as
scikit-learn's default does. Results are plain numbers and lists, ready for events and JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from .packing import with_lengths

IMBALANCE_RATIO = 5.0  # commonest : rarest training class at which the warning appears


@dataclass(frozen=True)
class ClassificationReport:
    """One evaluation's figures; confusion rows are true classes, columns predicted ones."""

    accuracy: float
    macro_f1: float
    confusion: np.ndarray  # int64 [C, C]
    baseline_accuracy: float
    baseline_macro_f1: float
    majority_class: int

    def beats_baseline(self) -> bool:
        return self.macro_f1 > self.baseline_macro_f1 and self.accuracy >= self.baseline_accuracy

    def to_dict(self, class_names: list[str] | None = None) -> dict[str, Any]:
        names = class_names or [str(c) for c in range(len(self.confusion))]
        return {
            "accuracy": self.accuracy,
            "macro_f1": self.macro_f1,
            "confusion": self.confusion.tolist(),
            "class_names": list(names),
            "baseline": {
                "name": f"always '{names[self.majority_class]}' (majority class)",
                "accuracy": self.baseline_accuracy,
                "macro_f1": self.baseline_macro_f1,
            },
        }


def confusion_matrix(true: np.ndarray, predicted: np.ndarray, n_classes: int) -> np.ndarray:
    """int64 [C, C]: entry (t, p) counts samples of class t predicted as p."""
    flat = np.asarray(true, dtype=np.int64) * n_classes + np.asarray(predicted, dtype=np.int64)
    return np.bincount(flat, minlength=n_classes * n_classes).reshape(n_classes, n_classes)


def accuracy(confusion: np.ndarray) -> float:
    total = confusion.sum()
    return float(np.trace(confusion) / total) if total else 0.0


def macro_f1(confusion: np.ndarray) -> float:
    """Mean F1 = 2TP / (2TP + FP + FN) over classes present in the targets or predictions."""
    true_positive = np.diag(confusion).astype(np.float64)
    support, predicted = confusion.sum(axis=1), confusion.sum(axis=0)
    denominator = support + predicted  # = 2TP + FP + FN
    present = denominator > 0
    return float((2 * true_positive[present] / denominator[present]).mean()) if present.any() else 0.0


def judge(true: np.ndarray, predicted: np.ndarray, train_labels: np.ndarray, n_classes: int) -> ClassificationReport:
    """The report for `predicted` against `true`, with the majority class of `train_labels`."""
    confusion = confusion_matrix(true, predicted, n_classes)
    majority = int(np.bincount(np.asarray(train_labels, dtype=np.int64), minlength=n_classes).argmax())
    baseline = confusion_matrix(true, np.full(len(true), majority), n_classes)
    return ClassificationReport(
        accuracy(confusion), macro_f1(confusion), confusion, accuracy(baseline), macro_f1(baseline), majority
    )


def predicted_classes(model, x: torch.Tensor, lengths: torch.Tensor | None, batch_size: int) -> np.ndarray:
    """The model's class (argmax) for every sample of x, in eval mode and without gradients."""
    was_training = model.training
    model.eval()
    chunks, device = [], next(model.parameters()).device
    with torch.no_grad():
        for start in range(0, len(x), batch_size):
            rows = slice(start, start + batch_size)
            chunks.append(model(x[rows].to(device), **with_lengths(lengths, rows)).argmax(-1).cpu())
    model.train(was_training)
    return torch.cat(chunks).numpy()


def mistakes(
    predicted: np.ndarray, true: np.ndarray, texts: list[str], names: list[str], limit: int = 20
) -> list[list[str]]:
    """Up to `limit` misclassified examples as [text, true class, predicted class], in data order."""
    wrong = np.flatnonzero(predicted != true)[:limit]
    return [[texts[i], names[true[i]], names[predicted[i]]] for i in wrong]


def imbalance_warning(train_labels: np.ndarray, n_classes: int, class_names: list[str] | None = None) -> str | None:
    """A plain-words warning when the commonest training class outnumbers the rarest 5 : 1."""
    counts = np.bincount(np.asarray(train_labels, dtype=np.int64), minlength=n_classes)
    common, rare = int(counts.argmax()), int(counts.argmin())
    if counts[rare] and counts[common] / counts[rare] < IMBALANCE_RATIO:
        return None
    names = class_names or [str(c) for c in range(n_classes)]
    share = counts[common] / counts.sum()
    return (
        f"The classes are imbalanced: '{names[common]}' has {share:.0%} of the training examples and "
        f"'{names[rare]}' only {counts[rare]}. Always answering '{names[common]}' already scores "
        f"{share:.0%} accuracy, so judge the model by macro-F1 against the baseline, or set the "
        "Classification head's class_weights to 'balanced'."
    )


def classification_lines(summary: dict[str, Any], max_classes: int = 12) -> list[str]:
    """A run summary's classification figures as the command line prints them (none if absent)."""
    judged = summary.get("classification")
    if not judged:
        return []
    base = judged["baseline"]
    beats = judged["macro_f1"] > base["macro_f1"] and judged["accuracy"] >= base["accuracy"]
    lines = [
        f"accuracy {judged['accuracy']:.1%}, macro-F1 {judged['macro_f1']:.3f}; baseline {base['name']}: "
        f"accuracy {base['accuracy']:.1%}, macro-F1 {base['macro_f1']:.3f}",
        "the model beats the majority-class baseline"
        if beats
        else "the model does NOT beat the majority-class baseline: it has learned nothing the class shares do not give",
    ]
    names = [name[:12] for name in judged["class_names"]]
    if len(names) <= max_classes:
        width = max(len(name) for name in names + ["true \\ predicted"]) + 1
        lines.append("true \\ predicted".ljust(width) + " ".join(name.rjust(max(len(name), 5)) for name in names))
        for name, row in zip(names, judged["confusion"]):
            lines.append(name.ljust(width) + " ".join(str(n).rjust(max(len(c), 5)) for n, c in zip(row, names)))
    if judged.get("imbalance_warning"):
        lines.append(f"warning: {judged['imbalance_warning']}")
    return lines
