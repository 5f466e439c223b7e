"""The paragraph bench/results/seed_claims.md holds: what the measured table says about each
claim, written from the numbers so that it stays true when the benchmark is rerun."""

from __future__ import annotations


def summary_paragraph(rows: list[dict], config: dict, target: float) -> str:
    lengths = sorted({r["length"] for r in rows})
    lines = [
        "# The seeds' claims on the adding problem (measured by `python -m bench seed_claims`)",
        "",
        f"Budget {config['steps']} steps per run, {len(config['seeds'])} seeds, target validation MSE "
        f"< {target:g} (always answering 1.0 scores about 0.167), hidden {config['hidden']} for the "
        "equal-size variants.",
        "",
    ]
    lines += [f"- {_parameters(rows, lengths[0])}", f"- {_speed(rows, lengths)}"]
    lines += [f"- Length {length}: {_reaching(rows, length)}" for length in lengths]
    lines += [
        "",
        "Verdicts:",
        f"- GRUs train faster than LSTMs: {_faster_verdict(rows, lengths)}",
        f"- GRUs match LSTMs: {_match_verdict(rows, lengths)}",
        f"- Plain RNNs fail on long dependencies: {_rnn_verdict(rows, lengths)}",
    ]
    return "\n".join(lines)


def _pick(rows: list[dict], length: int, cell: str, sizing: str) -> dict:
    return next(r for r in rows if r["length"] == length and r["cell"] == cell and r["sizing"] in (sizing, "both"))


def _parameters(rows: list[dict], length: int) -> str:
    lstm, gru = _pick(rows, length, "LSTM", "both"), _pick(rows, length, "GRU", "equal")
    rnn = _pick(rows, length, "RNN", "equal")
    gru_m, rnn_m = _pick(rows, length, "GRU", "matched"), _pick(rows, length, "RNN", "matched")
    return (
        f"Parameters at hidden {lstm['hidden']}: LSTM {lstm['parameters']:,}, GRU {gru['parameters']:,} "
        f"({gru['parameters'] / lstm['parameters']:.2f}x), RNN {rnn['parameters']:,}. Matching the LSTM's "
        f"count takes a GRU of hidden {gru_m['hidden']} ({gru_m['parameters']:,}) and an RNN of hidden "
        f"{rnn_m['hidden']} ({rnn_m['parameters']:,})."
    )


def _speed(rows: list[dict], lengths: list[int]) -> str:
    def ratio(cell, sizing):
        return " / ".join(
            f"{_pick(rows, n, cell, sizing)['seconds_per_step'] / _pick(rows, n, 'LSTM', 'both')['seconds_per_step']:.2f}"
            for n in lengths
        )

    return (
        f"Time per training step relative to the LSTM at lengths {' / '.join(map(str, lengths))}: "
        f"GRU {ratio('GRU', 'equal')} (matched {ratio('GRU', 'matched')}), RNN {ratio('RNN', 'equal')} "
        f"(matched {ratio('RNN', 'matched')})." + (_ONEDNN if _gru_slower(rows, lengths) else "")
    )


_ONEDNN = (
    " PyTorch's CPU build runs nn.LSTM on a fused oneDNN kernel and nn.GRU / nn.RNN on its generic "
    "path, so per step a GRU is not cheaper here despite its fewer parameters."
)


def _gru_slower(rows: list[dict], lengths: list[int]) -> bool:
    import torch

    return torch.backends.mkldnn.is_available() and all(
        _pick(rows, n, "GRU", "equal")["seconds_per_step"] > _pick(rows, n, "LSTM", "both")["seconds_per_step"]
        for n in lengths
    )


def _reaching(rows: list[dict], length: int) -> str:
    parts = []
    for r in (r for r in rows if r["length"] == length):
        if r["median_steps_to_target"] is not None:
            parts.append(
                f"{r['label']} {r['reached']}/{r['seeds']} seeds, median {r['median_steps_to_target']:.0f} "
                f"steps / {r['median_seconds_to_target']:.1f} s"
            )
        else:
            parts.append(
                f"{r['label']} {r['reached']}/{r['seeds']} seeds (median final MSE {r['median_final_val_mse']:.3f})"
            )
    return "; ".join(parts) + "."


def _faster_verdict(rows: list[dict], lengths: list[int]) -> str:
    found = []
    for n in lengths:
        lstm = _pick(rows, n, "LSTM", "both")
        for sizing in ("equal", "matched"):
            gru = _pick(rows, n, "GRU", sizing)
            found.append(f"length {n} {sizing}: {_compare(gru, lstm)}")
    return "; ".join(found) + "."


def _compare(gru: dict, lstm: dict) -> str:
    g_steps, l_steps = gru["median_steps_to_target"], lstm["median_steps_to_target"]
    if g_steps is None and l_steps is None:
        return "neither reached the target"
    if l_steps is None:
        return f"only the GRU reached it ({g_steps:.0f} steps)"
    if g_steps is None:
        return f"only the LSTM reached it ({l_steps:.0f} steps)"
    return (
        f"GRU {g_steps / l_steps:.2f}x the LSTM's steps, "
        f"{gru['median_seconds_to_target'] / lstm['median_seconds_to_target']:.2f}x its seconds"
    )


def _match_verdict(rows: list[dict], lengths: list[int]) -> str:
    parts = []
    for n in lengths:
        lstm, gru = _pick(rows, n, "LSTM", "both"), _pick(rows, n, "GRU", "equal")
        parts.append(
            f"length {n}: GRU reached the target in {gru['reached']}/{gru['seeds']} seeds, "
            f"LSTM in {lstm['reached']}/{lstm['seeds']} (median final MSE {gru['median_final_val_mse']:.3f} "
            f"vs {lstm['median_final_val_mse']:.3f})"
        )
    return "; ".join(parts) + "."


def _rnn_verdict(rows: list[dict], lengths: list[int]) -> str:
    rnn = [r for r in rows if r["cell"] == "RNN"]
    reached = sum(r["reached"] for r in rnn)
    total = sum(r["seeds"] for r in rnn)
    gated = sum(r["reached"] for r in rows if r["cell"] != "RNN")
    best = min(r["median_final_val_mse"] for r in rnn)
    return (
        f"RNNs (equal and matched size) reached the target in {reached} of {total} runs at lengths "
        f"{', '.join(map(str, lengths))} (best median final MSE {best:.3f}), the gated cells in {gated} runs. "
        + (
            "Within this budget that supports the claim."
            if reached == 0 and gated > 0
            else "The budget is too small to tell."
            if gated == 0
            else "The claim holds only in part here."
        )
    )
