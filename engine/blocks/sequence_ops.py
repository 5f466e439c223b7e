"""Operations across time or across branches: pooling a sequence, joining two branches."""

from __future__ import annotations

from .codegen import expression
from .spec import SEQUENCE, VECTOR, BlockContext, BlockSpec, Port, Shape, ShapeError

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


def _pair():
    return (Port("a", _FLOAT_KINDS), Port("b", _FLOAT_KINDS))


SPECS = (
    BlockSpec(
        "LastStep",
        "Sequence",
        "Keeps only the last time step: [batch, time, F] becomes [batch, F].",
        inputs=(Port("in", (SEQUENCE,)),),
        output=Port("out", (VECTOR,)),
        params=(),
        infer=_pooled,
        build=_module("LastStep"),
        export=expression("{0}[:, -1]", "the last step"),
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
        export=expression("{0}.mean(dim=1)", "the mean over time"),
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
