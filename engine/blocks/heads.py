"""Heads: the last block of a model. Each projects to what the data asks for and scores it.

A head's output size comes from the data (values, classes or vocabulary), so a head that
does not fit the data is reported by its shape rule in words the user can act on.
"""

from __future__ import annotations

from ..shapes import target_words
from .codegen import module
from .spec import SEQUENCE, VECTOR, BlockContext, BlockSpec, HeadRule, Loss, Param, Port, ShapeError

_ADVICE = {
    "regression": "a Regression head",
    "classification": "a Classification head",
    "tokens": "a TokenPrediction head",
}


def _fit(target_kind: str, what: str):
    def infer(ctx: BlockContext) -> None:
        data = ctx.data
        if data is None:
            raise ShapeError("the data set could not be read, so the output size is unknown; fix the data settings")
        if data.target_kind != target_kind:
            raise ShapeError(
                f"it {what}, but the data asks for {target_words(data)}; use {_ADVICE[data.target_kind]} instead"
            )
        if target_kind == "tokens" and ctx.inputs["in"].length not in (None, data.length):
            raise ShapeError(
                f"it needs one step per target token ({data.length}), but receives {ctx.inputs['in'].length} steps",
                port="in",
            )
        return None

    return infer


def _build(class_name: str):
    def build(ctx: BlockContext):
        from . import modules

        cls = getattr(modules, class_name)
        extra = {name: ctx.params[name] for name in ("loss", "class_weights") if name in ctx.params}
        return cls(ctx.inputs["in"].size, ctx.data.n_outputs, **extra)

    return build


_CROSS_ENTROPY = "cross-entropy, nats"
_export = module("nn.Linear", lambda step: {"in_features": step.inputs[0].size, "out_features": step.output.size})


def _count(ctx: BlockContext) -> int:
    outputs = ctx.data.n_outputs
    return (ctx.inputs["in"].size + 1) * outputs


SPECS = (
    BlockSpec(
        "Regression",
        "Heads",
        "Predicts the data's target values from a vector; loss MSE or L1.",
        inputs=(Port("in", (VECTOR,)),),
        output=None,
        params=(
            Param(
                "loss", "choice", "mse", choices=("mse", "l1"), help="Mean squared error, or mean absolute error (L1)."
            ),
        ),
        infer=_fit("regression", "predicts values"),
        build=_build("RegressionHead"),
        count_params=_count,
        head=HeadRule(
            "regression",
            {
                "mse": Loss("mean squared error", "nn.functional.mse_loss(prediction, target)", "MSE"),
                "l1": Loss(
                    "mean absolute error (L1)", "nn.functional.l1_loss(prediction, target)", "L1, mean absolute error"
                ),
            },
            loss_param="loss",
        ),
        export=_export,
    ),
    BlockSpec(
        "Classification",
        "Heads",
        "Predicts one class per sequence from a vector; cross-entropy loss.",
        inputs=(Port("in", (VECTOR,)),),
        output=None,
        params=(
            Param(
                "class_weights",
                "choice",
                "none",
                choices=("none", "balanced"),
                help="'balanced' weights each class's loss by how rare it is in the training data, "
                "so a rare class is not simply ignored.",
            ),
        ),
        infer=_fit("classification", "predicts one class per sequence"),
        build=_build("ClassificationHead"),
        count_params=_count,
        head=HeadRule(
            "classification",
            {
                None: Loss(
                    "cross-entropy, logits (B, C) and class ids (B,)",
                    "nn.functional.cross_entropy(prediction, target)",
                    _CROSS_ENTROPY,
                )
            },
        ),
        export=_export,
    ),
    BlockSpec(
        "TokenPrediction",
        "Heads",
        "Predicts the next token at every step, as a language model does.",
        inputs=(Port("in", (SEQUENCE,)),),
        output=None,
        params=(),
        infer=_fit("tokens", "predicts a token per step"),
        build=_build("TokenPredictionHead"),
        count_params=_count,
        head=HeadRule(
            "tokens",
            {
                None: Loss(
                    "cross-entropy per step, logits (B, T, V) and tokens (B, T)",
                    "nn.functional.cross_entropy(prediction.flatten(0, 1), target.flatten())",
                    _CROSS_ENTROPY,
                )
            },
        ),
        export=_export,
    ),
)
