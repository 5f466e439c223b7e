"""Probes: look inside every RNN, LSTM and GRU block of a compiled model at one training step.

A `ProbeSession` is made once per run; `run(step)` returns one probe record. A record is
plain Python plus numpy arrays (never tensors), so it can cross a process boundary, be
written by engine.probe_store and be read back identical. Its layout is in docs/probes.md
and in `ProbeSession.run`.

How a probe works: the session keeps a private copy of the model on the CPU (the "shadow")
whose recurrent blocks run engine.gates' `unroll`: PyTorch's fused kernel layer by layer,
every gate recomputed from the hidden states with batched matrix products, and the
recurrence hook that lets one `torch.autograd.grad` call return ∂L/∂hₜ for every layer,
direction and step — the total derivative, through the layers above and all later steps.
The same backward pass gives the memory-horizon attribution ‖∂ŷ/∂xₜ‖ (engine.memory_horizon):
the probe batch carries extra rows, copies of the first samples, whose objective is the
prediction score instead of the loss; rows of a batch never interact, so the gradients of the
two objectives stay apart.

The shadow computes in the live model's float32. ‖∂L/∂hₜ‖ of a plain RNN falls by 20–25 orders
of magnitude over 100 steps, below float32's range within a few hundred; so the objective is
scaled by GRADIENT_SCALE (a power of two, exact) before the backward pass and the norms are
divided by it after, which keeps about 1e-50 of the last step's norm measurable. Should the
scaled backward pass overflow (an exploding gradient), the probe repeats it unscaled.

Probes never change training: the live model is only read (no mode switch, no .grad, no
random numbers drawn); the shadow runs in eval mode, so dropout is off as in evaluation.
"""

from __future__ import annotations

import copy
import math
import time
from typing import Any

import numpy as np
import torch
from torch import nn

from . import memory_horizon as horizon
from .errors import UserError
from .gates import GATE_KINDS, GATE_NAMES, Trace, emitted, total_hidden_grad, unroll
from .packing import probe_rows
from .trajectory import TrajectoryProjector

RECORD_FORMAT = 1
LOW, HIGH = 0.05, 0.95  # saturation thresholds on a gate's (0, 1) scale
EXACT_EIGEN_LIMIT = 1024  # larger W_hh blocks get a Gelfand-formula estimate
GRADIENT_SCALE = 2.0**64
NO_RECURRENT_BLOCK = "the model has no RNN, LSTM or GRU block to probe"


class ProbeError(UserError, ValueError):
    """A probe that cannot be made; the message is for the user."""


class _ProbedBlock(nn.Module):
    """Stands in for a fused recurrent block inside the shadow model and keeps its trace."""

    def __init__(self, fused: nn.RNNBase, samples: int):
        super().__init__()
        self.fused, self.samples = fused, samples
        self.trace: Trace | None = None
        self.input_hook: torch.Tensor | None = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # x: (B, T, F)
        # A zero leaf added to the input: its gradient is ∂/∂xₜ, wherever x came from.
        self.input_hook = torch.zeros_like(x).requires_grad_()
        drawn = getattr(self.fused, "probe_trace", None)  # a drawn cell traces itself (engine.cells.probing)
        if drawn is not None:
            self.trace = drawn(x + self.input_hook, gate_rows=self.samples)
        else:
            self.trace = unroll(self.fused, x + self.input_hook, track=True, gate_rows=self.samples)
        return emitted(self.fused, self.trace)


class ProbeSession:
    """Probes the recurrent blocks of `model` on the first `samples` validation sequences."""

    def __init__(self, model: nn.Module, dataset, samples: int = 8):
        self.block_ids = list(model.recurrent_ids())
        if not self.block_ids:
            raise ProbeError(NO_RECURRENT_BLOCK)
        available = len(dataset.x_val)
        if not 1 <= samples <= available:
            raise ProbeError(
                f"probe_samples is {samples}, but the validation set holds {available} "
                f"sequences; set probe_samples between 1 and {available}"
            )
        self.model, self.samples = model, samples  # before the shadow, which needs `samples`
        self.target_kind = dataset.signature.target_kind
        # Variable-length data: the longest sequences, cut to real steps (engine.packing.probe_rows).
        self.x, self.y, self.sequence_lengths = probe_rows(dataset.x_val, dataset.y_val, dataset.lengths_val, samples)
        self.shadow, self._targets = self._make_shadow(model)
        self._projectors = {node_id: TrajectoryProjector() for node_id in self.block_ids}
        self._attributed = min(samples, horizon.ATTRIBUTION_SAMPLES)
        self._per_step = self.target_kind == "tokens"  # the only per-step target (see DataSignature)
        self._positions = horizon.output_positions(self.x.shape[1], self._per_step)
        self._inputs = _token_inputs(self.x, getattr(dataset, "vocabulary", None))

    def _make_shadow(self, model: nn.Module) -> tuple[nn.Module, dict[str, torch.Tensor]]:
        shadow = copy.deepcopy(model).to("cpu")
        shadow.eval().requires_grad_(False)
        targets = dict(shadow.state_dict())  # tensors sharing storage with the shadow's
        for node_id in self.block_ids:
            setattr(shadow, node_id, _ProbedBlock(getattr(shadow, node_id), self.samples))
        return shadow, targets

    def run(self, step: int) -> dict[str, Any]:
        """One probe record:

        {"format": 1, "step": int, "samples": S, "length": T, "loss": float (probe batch),
         "sequence_lengths": [S ints] (variable-length data only: the probed sequences' own
         lengths; T is the shortest of them, so every probed step is real),
         "seconds": float (time this probe took), "blocks": {node id: block record}}

        A block record (L layers, D directions, H units, G the cell's gates):
          "cell" "LSTM"|"GRU"|"RNN", "nonlinearity" ("tanh"/"relu" for RNN, else None),
          "layers" L, "directions" D, "hidden_size" H,
          "gates" [names], "gate_kinds" {gate: "sigmoid"|"tanh"|"preactivation"},
          "gate_mean"       {gate: float32 (L, D, T)}   mean over samples and units per step
          "gate_unit_mean"  {gate: float32 (L, D, H)}   mean over samples and steps per unit
          "saturation_low"  {gate: float32 (L, D)}      share of values below 0.05
          "saturation_high" {gate: float32 (L, D)}      share of values above 0.95
          "gate_sample"     {gate: float32 (L, D, T, H)} the first probe sample's values
          "hidden_sample"   float32 (L, D, T, H)        hₜ of the first probe sample
          "cell_sample"     float32 (L, D, T, H)        cₜ of the first sample (LSTM only)
          "forget_bias"     float32 (L, D)              mean of b_if + b_hf (LSTM only)
          "grad_norm"       float64 (L, D, T)           ‖∂L/∂hₜ‖ over the probe batch
          "grad_ratio"      float64 (L, D)              first / last processed step
          "attribution"     float64 (T,)                ‖∂ŷ/∂x‖ by lag 0..T-1 (engine.memory_horizon)
          "memory_horizon"  int                         longest lag above 1 % of the peak
          "spectral_radius" {gate: float64 (L, D)}      of each H×H gate block of W_hh
          "trajectory"      {"pca2": float32 (S, T, 2), "pca3": float32 (S, T, 3),
                             "explained2": float32 (2,), "explained3": float32 (3,),
                             "reference_step": int}     top layer, directions concatenated
        """
        started = time.perf_counter()
        self._copy_weights()
        with torch.enable_grad():
            loss, gradients = self._backward()
        blocks = {node_id: self._block_record(node_id, gradients[node_id], step) for node_id in self.block_ids}
        for node_id in self.block_ids:  # let the traces and their autograd graph go
            module = self.shadow._modules[node_id]
            module.trace = module.input_hook = None
        return {
            "format": RECORD_FORMAT,
            "step": int(step),
            "samples": self.samples,
            "length": int(self.x.shape[1]),
            **({"sequence_lengths": self.sequence_lengths} if self.sequence_lengths else {}),
            "loss": float(loss.detach()),
            "seconds": time.perf_counter() - started,
            "blocks": blocks,
            **self._inputs,
        }

    def _copy_weights(self) -> None:
        with torch.no_grad():
            for name, tensor in self.model.state_dict().items():
                self._targets[name].copy_(tensor)

    def _traces(self) -> dict[str, Trace]:
        return {node_id: self.shadow._modules[node_id].trace for node_id in self.block_ids}

    def _backward(self) -> tuple[torch.Tensor, dict[str, dict[str, np.ndarray]]]:
        """The probe batch's loss, and per block "grad_norm" (L, D, T) and "attribution" (T,),
        from one forward and one backward pass over the probe rows and the attribution rows."""
        prediction = self.shadow(self._batch())
        loss = self.shadow.loss(prediction[: self.samples], self.y)
        score = self._score(prediction[self.samples :])
        for scale in (GRADIENT_SCALE, 1.0):
            grads = self._gradients(scale * (loss + score), retain=scale != 1.0)
            if all(g is None or torch.isfinite(g).all() for g in grads):
                break
        return loss, self._norms(grads, scale)

    def _batch(self) -> torch.Tensor:
        """The probe samples, then per output position a copy of the first attributed samples."""
        copies = self.x[: self._attributed].repeat(len(self._positions), *([1] * (self.x.dim() - 1)))
        return torch.cat([self.x, copies])

    def _score(self, rows: torch.Tensor) -> torch.Tensor:
        count = self._attributed
        scores = [
            horizon.prediction_score(rows[k * count : (k + 1) * count], s if self._per_step else None, self.target_kind)
            for k, s in enumerate(self._positions)
        ]
        return torch.cat(scores).sum()

    def _gradients(self, objective: torch.Tensor, retain: bool):
        wanted = []
        for node_id, trace in self._traces().items():
            wanted += [d.hidden for layer in trace.layers for d in layer]
            wanted += [d.recurrent_input for layer in trace.layers for d in layer]
            wanted.append(self.shadow._modules[node_id].input_hook)
        # A min-cell has no recurrence hook (its carry finishes the gradient): None stays None.
        asked = [tensor for tensor in wanted if tensor is not None]
        found = iter(torch.autograd.grad(objective, asked, allow_unused=True, retain_graph=retain))
        return [None if tensor is None else next(found) for tensor in wanted]

    def _norms(self, grads, scale: float) -> dict[str, dict[str, np.ndarray]]:
        by_tensor = iter(grads)  # in the order of `wanted`
        results = {}
        for node_id, trace in self._traces().items():
            directions = [d for layer in trace.layers for d in layer]
            from_outputs = [next(by_tensor) for _ in directions]
            through = [next(by_tensor) for _ in directions]
            input_grad = next(by_tensor)
            norms = [self._hidden_norm(d, a, b, scale) for d, a, b in zip(directions, from_outputs, through)]
            width = len(trace.layers[0])
            results[node_id] = {
                "grad_norm": np.array(norms, dtype=np.float64).reshape(len(trace.layers), width, -1),
                "attribution": self._attribution(input_grad, scale),
            }
        return results

    def _hidden_norm(self, direction, from_outputs, through, scale: float) -> np.ndarray:
        """‖∂L/∂hₜ‖ over the probe rows (the attribution rows' gradients are the score's)."""
        total = total_hidden_grad(direction, from_outputs, through, self.samples).double() / scale
        return total.pow(2).sum(dim=(0, 2)).sqrt().numpy()

    def _attribution(self, input_grad: torch.Tensor | None, scale: float) -> np.ndarray:
        length, count = self.x.shape[1], self._attributed
        if input_grad is None:  # the prediction does not depend on this block
            return np.zeros(length)
        rows = input_grad[self.samples :].double() / scale  # (P * A, T, F)
        per_position = rows.reshape(len(self._positions), count, length, -1).norm(dim=-1).mean(dim=1)
        return horizon.attribution_by_lag(per_position.numpy(), self._positions)

    def _block_record(self, node_id: str, gradients: dict[str, np.ndarray], step: int) -> dict[str, Any]:
        block = self.shadow._modules[node_id]
        fused, trace = block.fused, block.trace
        if hasattr(fused, "probe_header"):  # a drawn cell: its marked gates, one layer and direction
            record: dict[str, Any] = fused.probe_header()
            names, kinds = tuple(record["gates"]), tuple(record["gate_kinds"].values())
        else:
            names, kinds = GATE_NAMES[trace.cell_type], GATE_KINDS[trace.cell_type]
            record = {
                "cell": trace.cell_type,
                "nonlinearity": trace.nonlinearity,
                "layers": fused.num_layers,
                "directions": 2 if fused.bidirectional else 1,
                "hidden_size": fused.hidden_size,
                "gates": list(names),
                "gate_kinds": dict(zip(names, kinds)),
            }
        stats = {
            name: [[_gate_stats(d.gates[name], kind, trace.nonlinearity) for d in layer] for layer in trace.layers]
            for name, kind in zip(names, kinds)
        }
        for key in ("gate_mean", "gate_unit_mean", "saturation_low", "saturation_high", "gate_sample"):
            record[key] = {
                name: _stack([[s[key] for s in layer] for layer in stats[name]], np.float32) for name in names
            }
        record["hidden_sample"] = _per_direction(trace, lambda d: d.hidden[0])
        if trace.cell_type == "LSTM":
            record["cell_sample"] = _per_direction(trace, lambda d: d.cell[0])
            record["forget_bias"] = _forget_bias(fused)
        record["grad_norm"] = gradients["grad_norm"]
        record["grad_ratio"] = _grad_ratio(gradients["grad_norm"])
        record["attribution"] = gradients["attribution"]
        record["memory_horizon"] = horizon.memory_horizon(gradients["attribution"])
        drawn_radii = getattr(fused, "gate_spectral_radii", None)
        record["spectral_radius"] = drawn_radii() if drawn_radii else _spectral_radii(fused, names)
        states = trace.output.detach()[: self.samples]  # (S, T, D*H)
        record["trajectory"] = self._projectors[node_id].project(states, step)
        return record


def _token_inputs(x: torch.Tensor, vocabulary: list[str] | None) -> dict[str, Any]:
    """For token inputs, what the hidden-state view colours by: {"input_tokens": int64 (S, T),
    "vocabulary": [the character of each id] or None}; {} for float inputs."""
    if x.is_floating_point():
        return {}
    return {"input_tokens": x.numpy().astype(np.int64), "vocabulary": list(vocabulary) if vocabulary else None}


def _stack(nested: list[list[Any]], dtype) -> np.ndarray:
    return np.array(nested, dtype=dtype)


def _per_direction(trace: Trace, pick) -> np.ndarray:
    return np.stack([np.stack([pick(d).detach().numpy() for d in layer]) for layer in trace.layers]).astype(np.float32)


def _gate_stats(values: torch.Tensor, kind: str, nonlinearity: str | None) -> dict[str, Any]:
    """Summaries of one gate (S, T, H). Saturation is measured on a (0, 1) scale: sigmoid gates
    as they are, tanh-valued ones as (v + 1) / 2 (so |v| > 0.9), and an RNN's pre-activation
    through its non-linearity (tanh as above; relu: "low" is the share at zero, "high" is 0)."""
    low, high = _saturation(values, kind, nonlinearity)
    return {
        "gate_mean": values.mean(dim=(0, 2)).numpy(),
        "gate_unit_mean": values.mean(dim=(0, 1)).numpy(),
        "saturation_low": low,
        "saturation_high": high,
        "gate_sample": values[0].numpy(),
    }


def _saturation(values: torch.Tensor, kind: str, nonlinearity: str | None) -> tuple[float, float]:
    if kind == "preactivation" and nonlinearity == "relu":
        return float((values <= 0).double().mean()), 0.0
    if kind == "preactivation":
        values = torch.tanh(values)
    scaled = values if kind == "sigmoid" else (values + 1) / 2
    return float((scaled < LOW).double().mean()), float((scaled > HIGH).double().mean())


def _forget_bias(fused: nn.RNNBase) -> np.ndarray:
    size, directions = fused.hidden_size, 2 if fused.bidirectional else 1
    rows = []
    for layer in range(fused.num_layers):
        row = []
        for direction in range(directions):
            suffix = f"_l{layer}" + ("_reverse" if direction else "")
            total = 0.0
            if fused.bias:
                bias = getattr(fused, "bias_ih" + suffix) + getattr(fused, "bias_hh" + suffix)
                total = float(bias[size : 2 * size].mean())
            row.append(total)
        rows.append(row)
    return np.array(rows, dtype=np.float32)


def _grad_ratio(grad_norm: np.ndarray) -> np.ndarray:
    """Norm at the first processed step over the norm at the last one, per layer and direction:
    t = 0 over t = T-1 forwards, t = T-1 over t = 0 for the reverse direction."""
    ratio = np.full(grad_norm.shape[:2], np.nan)
    for layer in range(grad_norm.shape[0]):
        for direction in range(grad_norm.shape[1]):
            norms = grad_norm[layer, direction][:: -1 if direction else 1]
            if norms[-1] > 0:
                ratio[layer, direction] = norms[0] / norms[-1]
    return ratio


def _spectral_radii(fused: nn.RNNBase, names: tuple[str, ...]) -> dict[str, np.ndarray]:
    size, directions = fused.hidden_size, 2 if fused.bidirectional else 1
    radii = np.zeros((len(names), fused.num_layers, directions))
    for layer in range(fused.num_layers):
        for direction in range(directions):
            weight = getattr(fused, f"weight_hh_l{layer}" + ("_reverse" if direction else "")).detach()
            for index in range(len(names)):
                radii[index, layer, direction] = spectral_radius(weight[index * size : (index + 1) * size])
    return {name: radii[index] for index, name in enumerate(names)}


def spectral_radius(matrix) -> float:
    """Largest |eigenvalue| of a square matrix: exact up to EXACT_EIGEN_LIMIT rows, above that
    Gelfand's formula ρ = lim ‖A^k‖^(1/k) with k = 2^10 (by repeated squaring). torch, not
    numpy, so that probes use one thread pool (see engine.trajectory)."""
    matrix = torch.as_tensor(matrix, dtype=torch.float64)
    if not matrix.numel():
        return 0.0
    if not torch.isfinite(matrix).all():
        return float("nan")
    if len(matrix) <= EXACT_EIGEN_LIMIT:
        return float(torch.linalg.eigvals(matrix).abs().max())
    log_scale, power = 0.0, matrix
    for _ in range(10):
        norm = float(torch.linalg.norm(power))  # any norm will do; Frobenius is cheap
        if norm == 0 or not math.isfinite(norm):
            return 0.0 if norm == 0 else float("inf")
        log_scale = 2 * (log_scale + math.log(norm))  # power / norm, squared = A^(2^k) / exp(log_scale)
        power = (power / norm) @ (power / norm)
    return math.exp((log_scale + math.log(max(float(torch.linalg.norm(power)), 1e-300))) / 2**10)
