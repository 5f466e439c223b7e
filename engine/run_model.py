"""A run's trained model: the graph of the project copy in its run folder, compiled for the
run's data and loaded with the weights the run saved. Replay, the code view's exports and
`main.py export` all get a trained model here.
"""

from __future__ import annotations

from pathlib import Path

from .runs import RunFolderError, RunRecord, load_run


def trained_model(run: RunRecord | Path | str, signature=None):
    """The run's CompiledModel in eval mode. `signature` is the run's DataSignature when the
    caller has it already; otherwise it is read from the project's data settings (raises
    engine.data.DataError when the data cannot be read, RunFolderError for a bad folder)."""
    from .compiler import compile_graph

    record = run if isinstance(run, RunRecord) else load_run(run)
    project = record.project
    signature = signature if signature is not None else project.signature()
    project.graph.data = signature
    model = compile_graph(project.graph, signature)
    try:
        model.load_state_dict(record.weights())  # strict: every key, every shape
    except RuntimeError as error:
        reason = str(error).splitlines()[-1].strip() if str(error) else type(error).__name__
        raise RunFolderError(
            f"run {record.path.name}: its weights do not fit the model of its project copy ({reason}); "
            "the run folder was changed after the run"
        ) from None
    return model.eval()
