"""The memory estimate: a model that cannot fit is refused before anything is allocated."""

from __future__ import annotations

import pytest
from probe_models import adding_project

from engine import resource_estimate
from engine.resource_estimate import estimate_training
from engine.validation import ERROR, WARNING, validate

GB = 1_000_000_000


def analysis_of(project, available, monkeypatch):
    monkeypatch.setattr(resource_estimate, "available_memory", lambda: available)
    return validate(project.graph, project.graph.data, project.training)


def memory_diagnostics(analysis):
    return [d for d in analysis.diagnostics if "training this model needs" in d.message]


def test_a_model_that_cannot_fit_is_refused_with_estimate_and_advice(monkeypatch):
    huge = adding_project(hidden=4096, layers=16, bidirectional=True)
    analysis = analysis_of(huge, 8 * GB, monkeypatch)
    [problem] = memory_diagnostics(analysis)
    assert problem.severity == ERROR and not analysis.ok
    assert "8.0 GB of memory is available" in problem.message and "lower the hidden size" in problem.message
    assert analysis.total_params > 1_000_000_000


def test_a_model_filling_most_memory_gets_a_warning(monkeypatch):
    project = adding_project(hidden=1024, layers=4)
    analysis = validate(project.graph, project.graph.data)
    memory = estimate_training(
        project.graph, analysis.shapes, analysis.total_params, project.graph.data, project.training
    )
    analysis = analysis_of(project, int(memory.total * 1.5), monkeypatch)
    assert analysis.ok and [d.severity for d in memory_diagnostics(analysis)] == [WARNING]


def test_a_small_model_passes_without_a_word(monkeypatch):
    analysis = analysis_of(adding_project(), 8 * GB, monkeypatch)
    assert analysis.ok and memory_diagnostics(analysis) == []


def test_estimate_counts_weights_optimiser_and_activations():
    project = adding_project(hidden=32, length=50)
    analysis = validate(project.graph, project.graph.data)
    params = analysis.total_params

    def memory(**training):
        settings = {**project.training, **training}
        return estimate_training(project.graph, analysis.shapes, params, project.graph.data, settings)

    adam = memory(optimizer="adam", batch_size=10)
    assert adam.weights == 3 * 4 * params and adam.optimiser == 2 * 4 * params
    assert memory(optimizer="sgd", momentum=0.0, batch_size=10).optimiser == 0
    assert memory(batch_size=20).activations == 2 * adam.activations  # linear in the batch
    # An LSTM keeps its 4 gates and 2 states per step: at least 6 × hidden × length per sample.
    assert adam.activations >= 2 * 10 * 6 * 32 * 50 * 4
    without_batch = estimate_training(project.graph, analysis.shapes, params, project.graph.data, None)
    assert without_batch.activations == 0 and "activations" not in without_batch.describe()


def test_where_memory_is_unknown_a_very_large_model_still_gets_a_warning(monkeypatch):
    analysis = analysis_of(adding_project(hidden=4096, layers=2), None, monkeypatch)
    assert analysis.total_params > 100_000_000
    assert [d.severity for d in analysis.diagnostics if "very large model" in d.message] == [WARNING]


def test_available_memory_is_a_positive_number_here():
    available = resource_estimate.available_memory()
    assert available is None or available > 0


def test_text_that_would_not_fit_after_windowing_is_refused_at_validation(tmp_path):
    from engine.data import DataError, describe

    (tmp_path / "t.txt").write_text("abcdefgh" * 5000)  # 40 kB, but stride 1 copies it 8,192 times
    settings = {"task": "text", "params": {"path": "t.txt", "length": 4096, "stride": 1, "split": 0.5}}
    with pytest.raises(DataError, match="Raise the stride"):
        describe(settings, tmp_path)
    settings["params"]["stride"] = 2048
    assert describe(settings, tmp_path).length == 4096
