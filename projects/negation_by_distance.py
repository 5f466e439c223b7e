"""How far back can each cell carry a "negated" flag? Accuracy against negation distance.

Trains the three negation examples (projects/negation_{rnn,lstm,gru}.rsproj, the same data and
budget) and reports each one's validation accuracy per distance between the negator and the
sentiment word ("-" = no negation), beside the majority-class baseline.

    python projects/negation_by_distance.py [--steps N]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from engine.classification_metrics import predicted_classes  # noqa: E402
from engine.data.review_corpus import negation_distance  # noqa: E402
from engine.project import load_project  # noqa: E402
from engine.training import train  # noqa: E402

CELLS = ("rnn", "lstm", "gru")


def accuracy_by_distance(cell: str, steps: int | None = None) -> tuple[dict[int, tuple[int, int]], float]:
    """({distance: (correct, total)} over the validation texts, baseline accuracy) after training."""
    project = load_project(ROOT / "projects" / f"negation_{cell}.rsproj")
    final = {}

    def judge(model, data):  # at every evaluation; the last one is the trained model's
        final["correct"] = predicted_classes(model, data.x_val, data.lengths_val, 256) == data.y_val.numpy()
        final["texts"] = data.texts_val

    result = train(project, record=False, steps=steps, overrides={"probe_every": 0}, on_evaluate=judge)
    distances = np.array([negation_distance(text) for text in final["texts"]])
    table = {
        int(d): (int(final["correct"][distances == d].sum()), int((distances == d).sum())) for d in np.unique(distances)
    }
    return table, result.summary["classification"]["baseline"]["accuracy"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, help="training steps (default: each project's own)")
    args = parser.parse_args(argv)
    tables, baseline = {}, 0.0
    for cell in CELLS:
        tables[cell], baseline = accuracy_by_distance(cell, args.steps)
    print(f"validation accuracy by negation distance (majority-class baseline {baseline:.1%})")
    print("distance  texts  " + "  ".join(cell.upper().rjust(6) for cell in CELLS))
    for distance in sorted(tables[CELLS[0]]):
        total = tables[CELLS[0]][distance][1]
        shares = "  ".join(f"{tables[c][distance][0] / total:6.1%}" for c in CELLS)
        print(f"{'-' if distance < 0 else distance:>8}  {total:5d}  {shares}")
    overall = "  ".join(
        f"{sum(c for c, _ in tables[cell].values()) / sum(t for _, t in tables[cell].values()):6.1%}" for cell in CELLS
    )
    print(f"{'all':>8}  {sum(t for _, t in tables[CELLS[0]].values()):5d}  {overall}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
