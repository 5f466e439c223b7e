"""ONNX export through torch.onnx, available when the optional onnx package is installed.

Recurrent Studio does not depend on onnx; without it the export says how to get it. The
TorchScript-based exporter is used (dynamo=False) because it needs onnx alone, not also
onnxscript, and it exports nn.LSTM/GRU/RNN as ONNX's own recurrent operators. A model with a
drawn cell's step loop is scripted first (engine.export.scripted), so the loop becomes an ONNX
Loop. Batch and time are dynamic axes, so the file accepts any batch size and sequence length.
"""

from __future__ import annotations

import importlib.util
import warnings
from pathlib import Path

from .errors import ExportError
from .files import replacing

MISSING_ONNX = "ONNX export needs the onnx package: pip install onnx"


def onnx_available() -> bool:
    return importlib.util.find_spec("onnx") is not None


def export_onnx(model, signature, path: Path | str, variable_lengths: bool | None = None) -> Path:
    """Write `model` (a compiled model, or any module taking the data's input) to `path`
    as ONNX with input "x" and output "prediction"; raises ExportError without onnx.

    `variable_lengths` (a model trained on padded variable-length data): a second input
    "lengths", int64 [batch], each sequence's real steps, masked as the compiled model does;
    None: as the data signature says."""
    if variable_lengths is None:
        variable_lengths = getattr(signature, "variable_length", False)
    if not onnx_available():
        raise ExportError(MISSING_ONNX)
    import torch

    path = Path(path)
    device = next(model.parameters()).device
    example = _example_input(signature, device)
    inputs, names, axes = (example,), ["x"], {"x": {0: "batch", 1: "time"}}
    if variable_lengths:
        _refuse_packed(model)
        inputs += (torch.full((1,), signature.length, dtype=torch.long, device=device),)
        names.append("lengths")
        axes["lengths"] = {0: "batch"}
    if _drawn_loops(model):  # a drawn cell's step loop: script the model, so the loop exports as an ONNX Loop
        from .scripted import scripted_model

        with warnings.catch_warnings():
            _quiet_known_warnings()
            model = scripted_model(model, *inputs)
    output_axes = {0: "batch", 1: "time"} if signature.target_kind == "tokens" else {0: "batch"}
    with replacing(path) as temporary, warnings.catch_warnings():
        _quiet_known_warnings()
        torch.onnx.export(
            model,
            inputs,
            str(temporary),
            dynamo=False,
            input_names=names,
            output_names=["prediction"],
            dynamic_axes={**axes, "prediction": output_axes},
        )
    return path


def _drawn_loops(model) -> list[str]:
    """The blocks running a drawn cell on its own step loop (not on a fused kernel)."""
    from ..cells.module import CompiledCell

    return [name for name, m in model.named_children() if isinstance(m, CompiledCell) and not m.builtin]


def _quiet_known_warnings() -> None:
    """Silence what the exporter always says about these models: its own deprecation, the
    recurrent layers' size checks traced as constants (sizes are fixed by the weights), and
    advice to export with batch size 1, which is what `_example_input` does."""
    import torch

    warnings.simplefilter("ignore", DeprecationWarning)  # TorchScript's, which this exporter is built on
    # what scripting the fx-traced step of a drawn cell always says
    warnings.filterwarnings("ignore", message="The TorchScript type system doesn't support instance-level")
    warnings.simplefilter("ignore", torch.jit.TracerWarning)
    warnings.filterwarnings("ignore", message="Exporting a model to ONNX with a batch_size other than 1")
    # each sequence's last real step is indexed at lengths - 1, never negative (lengths >= 1)
    warnings.filterwarnings("ignore", message="Exporting aten::index operator of advanced indexing")


def _example_input(signature, device):
    import torch

    if signature.input_kind == "tokens":
        return torch.zeros(1, signature.length, dtype=torch.long, device=device)  # (B, T)
    return torch.zeros(1, signature.length, signature.features, device=device)  # (B, T, F)


def _refuse_packed(model) -> None:
    """ExportError naming the first bidirectional fused recurrent block that emits its final
    state: on variable-length data it runs packed, and the TorchScript exporter cannot export a
    packed layer's final state (its packed output sequence exports, masked as in training)."""
    import torch

    for name, module in model.named_modules():
        if isinstance(module, torch.nn.RNNBase) and module.bidirectional and getattr(module, "emit", "") != "sequence":
            raise ExportError(
                f"ONNX export with variable lengths cannot export block '{name}': a bidirectional "
                f"{module.mode.split('_')[0]} whose output is its final state runs on packed sequences, "
                "and the exporter cannot export a packed layer's final state; set its output to "
                "'sequence', or export the standalone PyTorch source instead"
            )
