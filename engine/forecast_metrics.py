"""Judging a forecaster in the data's own units, beside the baselines, with a verdict in words.

`forecast_report(info, outputs)` takes the model's normalised validation outputs [S, k]
and returns plain JSON: MAE, RMSE and MAPE per horizon step (MAPE only where the true
values stay away from zero) for the model and for every baseline, which baseline is best,
whether the model beats it, and when it does not, the likely causes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .baselines import BASELINE_NAMES

# MAPE divides by the true value: it is reported only when no true value comes closer to
# zero than this fraction of their typical size (else a few near-zero values dominate it).
MAPE_FLOOR = 0.05


def mape_applies(truth: np.ndarray) -> bool:
    size = np.abs(truth)
    return bool(len(size) and size.min() > MAPE_FLOOR * np.median(size) and size.min() > 0)


def errors(truth: np.ndarray, forecast: np.ndarray) -> dict[str, Any]:
    """MAE, RMSE, MAPE (%) per horizon step and over all steps; MAPE None where it does not apply."""
    error = forecast - truth
    result: dict[str, Any] = {
        "mae": np.abs(error).mean(axis=0).tolist(),
        "rmse": np.sqrt((error**2).mean(axis=0)).tolist(),
        "mae_all": float(np.abs(error).mean()),
        "rmse_all": float(np.sqrt((error**2).mean())),
    }
    if mape_applies(truth):
        percent = 100 * np.abs(error / truth)
        result["mape"], result["mape_all"] = percent.mean(axis=0).tolist(), float(percent.mean())
    else:
        result["mape"], result["mape_all"] = None, None
    return result


def forecast_report(info: Any, outputs: np.ndarray, context: dict[str, Any] | None = None) -> dict[str, Any]:
    """The model's errors beside the baselines' on the validation samples (see module doc).
    `context` may hold train_loss, val_loss, best_step and steps, used to name likely causes."""
    truth = info.truth
    model = errors(truth, info.to_original(outputs))
    baselines = {name: errors(truth, forecast) for name, forecast in info.baselines.items()}
    best = min(baselines, key=lambda name: baselines[name]["rmse_all"])
    beats = model["rmse_all"] < baselines[best]["rmse_all"]
    report = {
        "target": info.target,
        "units": "the data's own units",
        "horizon": info.horizon,
        "transform": info.transform,
        "step": info.step,
        "season": info.season,
        "samples": int(len(truth)),
        "model": model,
        "baselines": baselines,
        "best_baseline": best,
        "beats_best_baseline": bool(beats),
    }
    report["verdict"] = verdict(report, info, context or {})
    return report


def verdict(report: dict[str, Any], info: Any, context: dict[str, Any]) -> str:
    best = report["best_baseline"]
    model_rmse, best_rmse = report["model"]["rmse_all"], report["baselines"][best]["rmse_all"]
    name = BASELINE_NAMES[best]
    if report["beats_best_baseline"]:
        gain = 100 * (1 - model_rmse / best_rmse) if best_rmse > 0 else 0.0
        return f"The model beats the best baseline ({name}): RMSE {model_rmse:.4g} against {best_rmse:.4g} ({gain:.0f}% lower)."
    causes = likely_causes(report, info, context)
    return (
        f"The model does not beat the best baseline, {name}: RMSE {model_rmse:.4g} against {best_rmse:.4g} "
        f"in the units of '{info.target}'. Likely causes: {'; '.join(causes)}."
    )


def likely_causes(report: dict[str, Any], info: Any, context: dict[str, Any]) -> list[str]:
    causes = []
    if info.transform == "none" and report["best_baseline"] in ("persistence", "seasonal"):
        causes.append(
            "the series trends or wanders beyond the training range (try the 'diff' transform, "
            "which predicts the change from the last value)"
        )
    if info.season and info.window < info.season:
        causes.append(f"the window ({info.window}) is shorter than a season ({info.season}); try window {info.season}")
    train, val = context.get("train_loss"), context.get("best_val_loss") or context.get("val_loss")
    if train is not None and val is not None and val > 2 * train:
        causes.append(
            f"overfitting: the training loss ({train:.3g}) is far below the validation loss "
            f"({val:.3g}); try a smaller model, dropout or weight decay"
        )
    best_step, steps = context.get("best_step"), context.get("steps")
    if best_step is not None and steps and best_step >= 0.9 * steps:
        causes.append(f"too little training: the validation loss was still falling at step {best_step}; train longer")
    return causes or ["too little data or a model too small for the pattern; try more steps or a larger hidden size"]
