"""Recurrent blocks: RNN, LSTM and GRU over PyTorch's fused kernels.

The three specs differ only in their cell name, gate count and (for RNN) the
non-linearity, so one function makes all three.
"""

from __future__ import annotations

from .codegen import LENGTH_HELPERS, CodeStep, Fragment, comment
from .spec import SEQUENCE, VECTOR, BlockContext, BlockSpec, Param, Port, Shape

GATES_PER_CELL = {"RNN": 1, "GRU": 3, "LSTM": 4}

_COMMON_PARAMS = (
    Param("hidden_size", "int", 64, 1, 4096, help="Units in each layer's hidden state."),
    Param("layers", "int", 1, 1, 16, help="Stacked recurrent layers; each reads the sequence of the one below."),
    Param("bidirectional", "bool", False, help="Also read the sequence backwards; doubles the output features."),
    Param("dropout", "float", 0.0, 0.0, 0.95, help="Dropout between stacked layers (no effect with one layer)."),
    Param(
        "output",
        "choice",
        "sequence",
        choices=("sequence", "last"),
        help="'sequence' emits every time step [batch, time, features]; 'last' emits the final state [batch, features].",
    ),
)
_NONLINEARITY = Param("nonlinearity", "choice", "tanh", choices=("tanh", "relu"), help="The cell's activation.")
FORGET_BIAS = Param(
    "forget_bias",
    "float",
    0.0,
    -10.0,
    10.0,
    help=(
        "Added to the forget-gate bias at initialisation. 0 keeps PyTorch's default: the forget gate starts "
        "near 0.5, so memory and gradient halve every step. 1.0 (Jozefowicz et al. 2015) starts it near 0.73 "
        "and often lets an LSTM learn dependencies hundreds of steps long that it otherwise misses."
    ),
)


def _directions(params) -> int:
    return 2 if params["bidirectional"] else 1


def _infer(ctx: BlockContext) -> Shape:
    seq = ctx.inputs["in"]
    size = ctx.params["hidden_size"] * _directions(ctx.params)
    if ctx.params["output"] == "last":
        return Shape(VECTOR, size)
    return Shape(SEQUENCE, size, seq.length)


def recurrent_param_count(cell: str, input_size: int, hidden: int, layers: int, directions: int) -> int:
    """nn.RNN/LSTM/GRU parameter count: per layer and direction, W_ih, W_hh and two biases."""
    gates = GATES_PER_CELL[cell]
    total = 0
    for layer in range(layers):
        layer_input = input_size if layer == 0 else hidden * directions
        total += directions * gates * hidden * (layer_input + hidden + 2)
    return total


def _export(step: CodeStep) -> Fragment:
    p = step.params
    kwargs = {
        "input_size": step.inputs[0].size,
        "hidden_size": p["hidden_size"],
        "num_layers": p["layers"],
        "batch_first": True,
        "bidirectional": p["bidirectional"],
        "dropout": p["dropout"] if p["layers"] > 1 else 0.0,
    }
    if "nonlinearity" in p:
        kwargs["nonlinearity"] = p["nonlinearity"]
    if step.lengths:
        return Fragment((f"nn.{step.type_name}", kwargs), _export_forward_lengths(step), (LENGTH_HELPERS,))
    return Fragment((f"nn.{step.type_name}", kwargs), _export_forward(step))


def _export_forward_lengths(step: CodeStep) -> tuple[str, ...]:
    """As the compiled model runs a padded batch: forward-only layers read it padded (exact for
    real steps), bidirectional ones read it packed (engine.packing)."""
    p, x = step.params, step.args[0]
    if not p["bidirectional"]:
        call = f"self.{step.node_id}({x})[0]"
        if p["output"] == "sequence":
            return (f"{step.var} = zero_padding({call}, lengths)  {comment(step.output, 'zeros at padding')}",)
        note = comment(step.output, "the top layer's output at each sequence's last real step")
        return (f"{step.var} = last_real_step({call}, lengths)  {note}",)
    call = f"run_packed(self.{step.node_id}, {x}, lengths)"
    if p["output"] == "sequence":
        return (f"{step.var}, _ = {call}  {comment(step.output, 'packed, zeros at padding')}",)
    unpack = "(h_n, _)" if step.type_name == "LSTM" else "h_n"
    states = p["layers"] * _directions(p)
    first = f"_, {unpack} = {call}  # h_n: ({states}, B, {p['hidden_size']}), each sequence's own final states"
    note = comment(step.output, "the top layer's final states, forward and backward")
    return (first, f"{step.var} = torch.cat([h_n[-2], h_n[-1]], dim=-1)  {note}")


def _export_forward(step: CodeStep) -> tuple[str, ...]:
    call = f"self.{step.node_id}({step.args[0]})"
    if step.params["output"] == "sequence":
        return (f"{step.var}, _ = {call}  {comment(step.output)}",)
    p = step.params
    states = p["layers"] * _directions(p)
    unpack = "(h_n, _)" if step.type_name == "LSTM" else "h_n"
    first = f"_, {unpack} = {call}  # h_n: ({states}, B, {p['hidden_size']}), the final state of every layer"
    if p["bidirectional"]:
        note = comment(step.output, "the top layer's final states, forward and backward")
        return (first + " and direction", f"{step.var} = torch.cat([h_n[-2], h_n[-1]], dim=-1)  {note}")
    note = comment(step.output, "the top layer's final state")
    return (first, f"{step.var} = h_n[-1]  {note}")


def _make_spec(cell: str, description: str) -> BlockSpec:
    params = _COMMON_PARAMS + {"RNN": (_NONLINEARITY,), "LSTM": (FORGET_BIAS,)}.get(cell, ())

    def build(ctx: BlockContext):
        from .modules import build_recurrent

        p = ctx.params
        return build_recurrent(
            cell,
            ctx.inputs["in"].size,
            p["hidden_size"],
            p["layers"],
            p["bidirectional"],
            p["dropout"],
            p["output"],
            p.get("nonlinearity", "tanh"),
            p.get("forget_bias", 0.0),
        )

    def count(ctx: BlockContext) -> int:
        p = ctx.params
        return recurrent_param_count(cell, ctx.inputs["in"].size, p["hidden_size"], p["layers"], _directions(p))

    return BlockSpec(
        cell,
        "Recurrent",
        description,
        inputs=(Port("in", (SEQUENCE,)),),
        output=Port("out", (SEQUENCE, VECTOR)),
        params=params,
        infer=_infer,
        build=build,
        count_params=count,
        recurrent=True,
        export=_export,
    )


SPECS = (
    _make_spec("RNN", "Plain (Elman) recurrent layer: one tanh or ReLU update per step; forgets over long spans."),
    _make_spec("LSTM", "Long short-term memory: input, forget and output gates guard a cell state across long spans."),
    _make_spec(
        "GRU", "Gated recurrent unit: reset and update gates; often matches an LSTM with a quarter fewer parameters."
    ),
)
