"""Per-step layers: they act on the feature axis of a sequence or a vector alike."""

from __future__ import annotations

from .codegen import CodeStep, Fragment, comment, module
from .spec import SEQUENCE, VECTOR, BlockContext, BlockSpec, Param, Port, Shape

_FLOAT_KINDS = (SEQUENCE, VECTOR)


def _same_shape(ctx: BlockContext) -> Shape:
    return ctx.inputs["in"]


def _linear_shape(ctx: BlockContext) -> Shape:
    shape = ctx.inputs["in"]
    return Shape(shape.kind, ctx.params["features"], shape.length)


def _linear(ctx: BlockContext):
    from torch import nn

    return nn.Linear(ctx.inputs["in"].size, ctx.params["features"], bias=ctx.params["bias"])


def _linear_count(ctx: BlockContext) -> int:
    fan_in, fan_out = ctx.inputs["in"].size, ctx.params["features"]
    return fan_in * fan_out + (fan_out if ctx.params["bias"] else 0)


def _activation(ctx: BlockContext):
    from .modules import ACTIVATIONS

    return ACTIVATIONS[ctx.params["function"]]()


def _dropout(ctx: BlockContext):
    from torch import nn

    return nn.Dropout(ctx.params["rate"])


def _layer_norm(ctx: BlockContext):
    from torch import nn

    return nn.LayerNorm(ctx.inputs["in"].size)


_FUNCTIONS = {"ReLU": "torch.relu", "Tanh": "torch.tanh", "Sigmoid": "torch.sigmoid", "GELU": "nn.functional.gelu"}


def _activation_export(step: CodeStep) -> Fragment:
    function = _FUNCTIONS[step.params["function"]]
    return Fragment(None, (f"{step.var} = {function}({step.args[0]})  {comment(step.output)}",))


def _port():
    return (Port("in", _FLOAT_KINDS),)


SPECS = (
    BlockSpec(
        "Linear",
        "Layers",
        "A dense layer applied at every time step (or once to a vector).",
        inputs=_port(),
        output=Port("out", _FLOAT_KINDS),
        params=(
            Param("features", "int", 64, 1, 65536, help="Output features."),
            Param("bias", "bool", True, help="Add a learned bias."),
        ),
        infer=_linear_shape,
        build=_linear,
        count_params=_linear_count,
        export=module(
            "nn.Linear",
            lambda step: {
                "in_features": step.inputs[0].size,
                "out_features": step.params["features"],
                "bias": step.params["bias"],
            },
        ),
    ),
    BlockSpec(
        "Activation",
        "Layers",
        "An element-wise non-linearity: ReLU, Tanh, Sigmoid or GELU.",
        inputs=_port(),
        output=Port("out", _FLOAT_KINDS),
        params=(
            Param(
                "function",
                "choice",
                "ReLU",
                choices=("ReLU", "Tanh", "Sigmoid", "GELU"),
                help="The function applied to every value.",
            ),
        ),
        infer=_same_shape,
        build=_activation,
        export=_activation_export,
    ),
    BlockSpec(
        "Dropout",
        "Layers",
        "Zeroes a random share of values while training, to regularise.",
        inputs=_port(),
        output=Port("out", _FLOAT_KINDS),
        params=(Param("rate", "float", 0.2, 0.0, 0.95, help="Share of values dropped while training."),),
        infer=_same_shape,
        build=_dropout,
        export=module("nn.Dropout", lambda step: {"p": step.params["rate"]}, "zeroes values only while training"),
    ),
    BlockSpec(
        "LayerNorm",
        "Layers",
        "Normalises the features of each step to zero mean and unit variance.",
        inputs=_port(),
        output=Port("out", _FLOAT_KINDS),
        params=(),
        infer=_same_shape,
        build=_layer_norm,
        count_params=lambda ctx: 2 * ctx.inputs["in"].size,
        export=module("nn.LayerNorm", lambda step: {"normalized_shape": step.inputs[0].size}),
    ),
)
