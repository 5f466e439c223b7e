"""Shared fixtures. Qt runs offscreen; nothing here touches the user's settings."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
if os.environ.get("PYTEST_XDIST_WORKER"):
    # Parallel workers share the cores: torch's own threads on top would oversubscribe
    # them and slow every worker many times over.
    os.environ.setdefault("OMP_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pytest  # noqa: E402


@dataclass(frozen=True)
class FakeSignature:
    """A DataSignature stand-in so graph tests need no data generation."""

    input_kind: str = "sequence"
    features: int | None = 2
    vocab_size: int | None = None
    length: int = 20
    target_kind: str = "regression"
    n_outputs: int = 1
    metric: str | None = None


@pytest.fixture
def regression_data():
    return FakeSignature()


def make_chain(doc, *blocks):
    """Add blocks given as (type, params) or type names and connect them in a chain."""
    ids = []
    for index, block in enumerate(blocks):
        type_name, params = (block, {}) if isinstance(block, str) else block
        ids.append(doc.add_node(type_name, params, (index * 200.0, 0.0)).id)
    for source, target in zip(ids, ids[1:]):
        port = doc.node(target).spec.inputs[0].name
        doc.connect(source, "out", target, port)
    return ids
