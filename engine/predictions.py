"""Predictions: what a model outputs on validation data, as plain numbers for a viewer.

`predictions(model, data)` returns one small dict whose "kind" follows the data's target:

  regression      {"kind": "regression", "inputs": float32 (S, T) first input feature,
                   "targets": float32 (S, O), "forecasts": float32 (S, O),
                   "all_targets": float32 (N,), "all_forecasts": float32 (N,)}   (first output)
  classification  {"kind": "classification", "confusion": int64 (C, C) rows true, columns
                   predicted, over the validation set, "class_names": [C names], and for text
                   data "mistakes": [[text, true name, predicted name]] (up to 20); "scores":
                   {"accuracy", "macro_f1", "baseline": {"name", "accuracy", "macro_f1"}}}
  tokens          {"kind": "tokens", "rows": [[input, target, predicted] text of S samples],
                   "prompt": text, "samples": {temperature text: sampled continuation}}
                  "samples" is empty unless the task is next-token prediction (a language model).

Regression values are in the data file's own units when the data was normalised. A
forecast (data with a ForecastInfo) also gives "input_x"/"target_x" (int64, the rows of the
series each point stands for), "input_labels"/"target_labels" (their times as text),
"units" (the target's name) and "time_name"; its "inputs" are the target's own past over
the window, in the data's units, whatever the model reads.
Nothing here changes training: eval mode is restored, no gradients, and sampling draws from
its own seeded generator, never the global random state.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

SAMPLES = 4  # validation sequences shown per kind
SCATTER_LIMIT = 256  # points in the forecast-against-target scatter
TEMPERATURES = (0.5, 1.0, 1.5)
PROMPT_LENGTH = 24
SAMPLE_LENGTH = 120


def predictions(model, data, seed: int = 0) -> dict[str, Any]:
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            kind = data.signature.target_kind
            if kind == "regression":
                return _regression(model, data)
            if kind == "classification":
                return _classification(model, data)
            return _tokens(model, data, seed)
    finally:
        model.train(was_training)


def validation_outputs(model, data, size: int = 256) -> np.ndarray:
    """The model's outputs on every validation sample, as float64 numpy (eval mode, no gradients)."""
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            return _in_batches(model, data.x_val, size).double().numpy()
    finally:
        model.train(was_training)


def forecast_table(info, outputs: np.ndarray) -> tuple[list[str], list[list[Any]]]:
    """predictions.csv: one row per validation sample and step ahead, in the data's units."""
    forecast = info.to_original(outputs)
    truth, times = info.truth, info.target_times
    origins = info.labels[info.val_ends]
    names = list(info.baselines)
    header = [info.time_name or "row", "step_ahead", "forecast_from", info.target, "prediction", *names]
    rows = []
    for i in range(len(forecast)):
        for j in range(info.horizon):
            baseline = [f"{info.baselines[name][i, j]:.6g}" for name in names]
            rows.append([times[i, j], j + 1, origins[i], f"{truth[i, j]:.6g}", f"{forecast[i, j]:.6g}", *baseline])
    return header, rows


def _device(model) -> torch.device:
    return next(model.parameters()).device


def _in_batches(model, x: torch.Tensor, size: int = 256) -> torch.Tensor:
    device = _device(model)
    return torch.cat([model(x[start : start + size].to(device)).cpu() for start in range(0, len(x), size)])


def _regression(model, data) -> dict[str, Any]:
    if data.forecast is not None:
        return _forecast(model, data)
    x, y = data.x_val[:SCATTER_LIMIT], data.y_val[:SCATTER_LIMIT]
    forecast = _in_batches(model, x).float()
    offset, scale = data.target_scaling or (0.0, 1.0)
    y, forecast = y.cpu() * scale + offset, forecast * scale + offset
    inputs = x[:SAMPLES, :, 0].float().cpu() if x.dim() == 3 else x[:SAMPLES].float().cpu()
    return {
        "kind": "regression",
        "inputs": inputs.numpy(),
        "targets": y[:SAMPLES].numpy(),
        "forecasts": forecast[:SAMPLES].numpy(),
        "all_targets": y[:, 0].numpy(),
        "all_forecasts": forecast[:, 0].numpy(),
    }


def _forecast(model, data) -> dict[str, Any]:
    """A forecast in the data's own units: the target's past over the window, the truth and
    the forecast, each point with its row of the series (x) and its time label."""
    info = data.forecast
    outputs = _in_batches(model, data.x_val[:SCATTER_LIMIT]).double().numpy()
    forecast, truth = info.to_original(outputs), info.truth[: len(outputs)]
    ends = info.val_ends[:SAMPLES]
    input_x = ends[:, None] + np.arange(1 - info.window, 1)[None, :]
    target_x = ends[:, None] + np.arange(1, info.horizon + 1)[None, :]
    return {
        "kind": "regression",
        "inputs": info.history(SAMPLES).astype(np.float32),
        "targets": truth[:SAMPLES].astype(np.float32),
        "forecasts": forecast[:SAMPLES].astype(np.float32),
        "all_targets": truth[:, 0].astype(np.float32),
        "all_forecasts": forecast[:, 0].astype(np.float32),
        "input_x": input_x,
        "target_x": target_x,
        "input_labels": info.labels[input_x],
        "target_labels": info.labels[target_x],
        "units": info.target,
        "time_name": info.time_name or "row",
    }


def _classification(model, data) -> dict[str, Any]:
    from .classification_metrics import judge, mistakes, predicted_classes

    classes = data.signature.n_outputs
    predicted = predicted_classes(model, data.x_val, data.lengths_val, 256)  # each sequence's real steps
    true = data.y_val.cpu().numpy()
    names = list(data.class_names or [str(index) for index in range(classes)])
    report = judge(true, predicted, data.y_train.cpu().numpy(), classes)
    shown = {"kind": "classification", "confusion": report.confusion, "class_names": names}
    shown["scores"] = {
        key: value for key, value in report.to_dict(names).items() if key not in ("confusion", "class_names")
    }
    if data.texts_val is not None:  # text data: the misclassified texts, the first thing a user reads
        shown["mistakes"] = mistakes(predicted, true, data.texts_val, names)
    return shown


def _tokens(model, data, seed: int) -> dict[str, Any]:
    vocabulary = data.vocabulary or [str(index) for index in range(data.signature.n_outputs)]
    x, y = data.x_val[:SAMPLES], data.y_val[:SAMPLES]
    predicted = _in_batches(model, x).argmax(-1)
    decode = lambda ids: "".join(vocabulary[int(i)] for i in ids)  # noqa: E731
    rows = [[decode(x[i]), decode(y[i]), decode(predicted[i])] for i in range(len(x))]
    result = {"kind": "tokens", "rows": rows, "prompt": "", "samples": {}}
    if _is_language_model(data):
        prompt = data.x_val[0, :PROMPT_LENGTH].to(_device(model))
        result["prompt"] = decode(prompt)
        result["samples"] = _sample(model, prompt, data.signature.length, decode, seed)
    return result


def _is_language_model(data) -> bool:
    """True when each target is the next input, so the model can write text from a prompt."""
    x, y = data.x_val, data.y_val
    return x.shape == y.shape and bool(torch.equal(x[:, 1:], y[:, :-1]))


def _sample(model, prompt: torch.Tensor, context: int, decode, seed: int) -> dict[str, str]:
    """One continuation per temperature, all temperatures in one batch; the model sees at
    most `context` tokens, the window length it was trained on."""
    generator = torch.Generator().manual_seed(seed)
    temperatures = torch.tensor(TEMPERATURES).unsqueeze(1)  # (K, 1)
    tokens = prompt.unsqueeze(0).repeat(len(TEMPERATURES), 1)  # (K, P)
    for _ in range(SAMPLE_LENGTH):
        logits = model(tokens[:, -context:])[:, -1].float().cpu()  # (K, V)
        probabilities = torch.softmax(logits / temperatures, dim=-1)
        chosen = torch.multinomial(probabilities, 1, generator=generator)
        tokens = torch.cat([tokens, chosen.to(tokens.device)], dim=1)
    return {f"{t:g}": decode(row[len(prompt) :]) for t, row in zip(TEMPERATURES, tokens.cpu())}
