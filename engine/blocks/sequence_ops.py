"""Operations across time or across branches: pooling a sequence, a causal convolution
over time, joining two branches."""

from __future__ import annotations

from functools import cache

from .codegen import CodeStep, Fragment, comment, expression, pooling
from .spec import SEQUENCE, VECTOR, BlockContext, BlockSpec, Param, Port, Shape, ShapeError

_FLOAT_KINDS = (SEQUENCE, VECTOR)


def _pooled(ctx: BlockContext) -> Shape:
    return Shape(VECTOR, ctx.inputs["in"].size)


def _check_pair(a: Shape, b: Shape) -> None:
    if a.kind != b.kind:
        raise ShapeError(
            f"its inputs must both be sequences or both vectors; 'a' is {a.describe()}, 'b' is {b.describe()}", port="b"
        )
    if a.kind == SEQUENCE and None not in (a.length, b.length) and a.length != b.length:
        raise ShapeError(f"its inputs have different lengths in time ({a.length} and {b.length})", port="b")


def _concat_shape(ctx: BlockContext) -> Shape:
    a, b = ctx.inputs["a"], ctx.inputs["b"]
    _check_pair(a, b)
    return Shape(a.kind, a.size + b.size, a.length)


def _add_shape(ctx: BlockContext) -> Shape:
    a, b = ctx.inputs["a"], ctx.inputs["b"]
    _check_pair(a, b)
    if a.size != b.size:
        raise ShapeError(
            f"it adds features one by one, so both inputs need the same size; 'a' has {a.size}, "
            f"'b' has {b.size}. Put a Linear block before one of them to match",
            port="b",
        )
    return a


def _module(name: str):
    def build(ctx: BlockContext):
        from . import modules

        return getattr(modules, name)()

    return build


# -- Conv1d: a causal convolution over time ---------------------------------------------
def _conv_shape(ctx: BlockContext) -> Shape:
    return Shape(SEQUENCE, ctx.params["features"], ctx.inputs["in"].length)


def _conv_padding(params) -> int:
    """Steps of zeros before the sequence, so step t sees steps t - padding ... t only."""
    return (params["kernel_size"] - 1) * params["dilation"]


@cache
def _causal_conv1d():
    """nn.Conv1d over the time axis of [batch, time, features], padded on the left only, so
    no step sees the future; a padded batch's trailing padding cannot reach its real steps.
    Defined on first use, so the catalogue loads without torch."""
    from torch import nn

    class CausalConv1d(nn.Conv1d):
        def forward(self, x):  # (B, T, F)
            padding = (self.kernel_size[0] - 1) * self.dilation[0]
            x = nn.functional.pad(x.transpose(1, 2), (padding, 0))  # (B, F, padding + T)
            return super().forward(x).transpose(1, 2)  # (B, T, features)

    return CausalConv1d


def _conv_build(ctx: BlockContext):
    p = ctx.params
    return _causal_conv1d()(
        ctx.inputs["in"].size, p["features"], p["kernel_size"], dilation=p["dilation"], bias=p["bias"]
    )


def _conv_count(ctx: BlockContext) -> int:
    p = ctx.params
    return ctx.inputs["in"].size * p["features"] * p["kernel_size"] + (p["features"] if p["bias"] else 0)


def _conv_export(step: CodeStep) -> Fragment:
    p, padding = step.params, _conv_padding(step.params)
    kwargs = {
        "in_channels": step.inputs[0].size,
        "out_channels": p["features"],
        "kernel_size": p["kernel_size"],
        "dilation": p["dilation"],
        "bias": p["bias"],
    }
    sees = f"step t sees steps t-{padding}..t" if padding else "step t sees step t only"
    line = (
        f"{step.var} = self.{step.node_id}(nn.functional.pad({step.args[0]}.transpose(1, 2), ({padding}, 0)))"
        f".transpose(1, 2)  {comment(step.output, 'causal: ' + sees)}"
    )
    return Fragment(("nn.Conv1d", kwargs), (line,))


_CONV1D = BlockSpec(
    "Conv1d",
    "Sequence",
    "A causal convolution over time: each step mixes the last `kernel_size` steps (spaced "
    "`dilation` apart) of every feature; the sequence keeps its length.",
    inputs=(Port("in", (SEQUENCE,)),),
    output=Port("out", (SEQUENCE,)),
    params=(
        Param("features", "int", 32, 1, 65536, help="Output features per step (convolution channels)."),
        Param("kernel_size", "int", 3, 1, 256, help="Steps each output step looks at: itself and the ones before."),
        Param(
            "dilation",
            "int",
            1,
            1,
            64,
            help="Spacing between the steps the kernel looks at; the block sees "
            "(kernel_size - 1) * dilation + 1 steps back.",
        ),
        Param("bias", "bool", True, help="Add a learned bias."),
    ),
    infer=_conv_shape,
    build=_conv_build,
    count_params=_conv_count,
    export=_conv_export,
)


def _pair():
    return (Port("a", _FLOAT_KINDS), Port("b", _FLOAT_KINDS))


SPECS = (
    _CONV1D,
    BlockSpec(
        "LastStep",
        "Sequence",
        "Keeps only the last time step: [batch, time, F] becomes [batch, F].",
        inputs=(Port("in", (SEQUENCE,)),),
        output=Port("out", (VECTOR,)),
        params=(),
        infer=_pooled,
        build=_module("LastStep"),
        export=pooling("{0}[:, -1]", "last_real_step", "the last step"),
    ),
    BlockSpec(
        "MeanOverTime",
        "Sequence",
        "Averages over time: [batch, time, F] becomes [batch, F].",
        inputs=(Port("in", (SEQUENCE,)),),
        output=Port("out", (VECTOR,)),
        params=(),
        infer=_pooled,
        build=_module("MeanOverTime"),
        export=pooling("{0}.mean(dim=1)", "mean_over_real_steps", "the mean over time"),
    ),
    BlockSpec(
        "Concat",
        "Sequence",
        "Joins two branches side by side along the features.",
        inputs=_pair(),
        output=Port("out", _FLOAT_KINDS),
        params=(),
        infer=_concat_shape,
        build=_module("Concat"),
        export=expression("torch.cat([{0}, {1}], dim=-1)"),
    ),
    BlockSpec(
        "Add",
        "Sequence",
        "Adds two branches of equal size, as in a residual connection.",
        inputs=_pair(),
        output=Port("out", _FLOAT_KINDS),
        params=(),
        infer=_add_shape,
        build=_module("Add"),
        export=expression("{0} + {1}"),
    ),
)
