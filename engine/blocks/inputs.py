"""Input blocks: where data enters the graph. Their sizes come from the data, never typed."""

from __future__ import annotations

from ..shapes import input_shape
from .codegen import forward_argument, module
from .spec import SEQUENCE, TOKENS, BlockContext, BlockSpec, Param, Port, Shape, ShapeError


def _data_or_fail(ctx: BlockContext, kind: str, other_block: str):
    data = ctx.data
    if data is None:
        raise ShapeError("the data set could not be read, so the input size is unknown; fix the data settings")
    if data.input_kind != kind:
        raise ShapeError(f"the data gives {data.input_kind}, not {kind}; use a {other_block} block instead")
    return data


def _sequence_shape(ctx: BlockContext) -> Shape:
    return input_shape(_data_or_fail(ctx, SEQUENCE, "TokenInput"))


def _tokens_shape(ctx: BlockContext) -> Shape:
    return input_shape(_data_or_fail(ctx, TOKENS, "SequenceInput"))


def _identity(ctx: BlockContext):
    from torch import nn

    return nn.Identity()


def _embedding_shape(ctx: BlockContext) -> Shape:
    tokens = ctx.inputs["tokens"]
    return Shape(SEQUENCE, ctx.params["dim"], tokens.length)


def _embedding(ctx: BlockContext):
    from torch import nn

    return nn.Embedding(ctx.inputs["tokens"].size, ctx.params["dim"])


SPECS = (
    BlockSpec(
        "SequenceInput",
        "Inputs",
        "Feeds the data's float sequences [batch, time, features] into the model.",
        inputs=(),
        output=Port("out", (SEQUENCE,)),
        params=(),
        infer=_sequence_shape,
        build=_identity,
        export=forward_argument,
    ),
    BlockSpec(
        "TokenInput",
        "Inputs",
        "Feeds the data's integer tokens [batch, time] (characters, symbols) into the model.",
        inputs=(),
        output=Port("out", (TOKENS,)),
        params=(),
        infer=_tokens_shape,
        build=_identity,
        export=forward_argument,
    ),
    BlockSpec(
        "Embedding",
        "Inputs",
        "Turns each token into a learned vector of `dim` features.",
        inputs=(Port("tokens", (TOKENS,)),),
        output=Port("out", (SEQUENCE,)),
        params=(Param("dim", "int", 32, 1, 4096, help="Features per token."),),
        infer=_embedding_shape,
        build=_embedding,
        count_params=lambda ctx: ctx.inputs["tokens"].size * ctx.params["dim"],
        export=module(
            "nn.Embedding", lambda step: {"num_embeddings": step.inputs[0].size, "embedding_dim": step.params["dim"]}
        ),
    ),
)
