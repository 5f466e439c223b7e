"""Variable-length training and text preparation: what lengths cost, and how fast texts tokenise.

1. Training step at the same batch (64 sequences of 20 to 100 steps, 8 features, hidden 128,
   a classifier on each sequence's last real step), for RNN, LSTM, GRU and a bidirectional
   LSTM. Three candidates, interleaved in one process:
   - "engine":  the compiled graph called with the batch's lengths (engine.packing);
   - "packed":  the same model written by hand with pack_padded_sequence (the baseline);
   - "padded":  the compiled graph without lengths: it reads the padding (wrong, but the
                speed a user had before, at the same batch).
   Target: engine / packed <= 1.10 (median of per-round ratios). engine / padded is shown beside
   it: forward-only layers read the padded batch (exact for them), so it stays near 1; a
   bidirectional layer must run packed, and PyTorch's packed LSTM on CPU has no oneDNN path,
   so there the hand-written packed model pays the same.
2. Tokenising 100,000 generated short reviews by word and building the vocabulary, against
   only splitting the same texts at spaces (the least any tokeniser must do).
"""

from __future__ import annotations

import time

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

from engine.compiler import compile_graph
from engine.data.base import DataSignature
from engine.data.review_corpus import generate_reviews
from engine.data.tokenize import Tokenizer, build_vocabulary, encode_padded
from engine.graph import GraphDocument

from .common import interleave, median, paired_ratio, print_table

TARGET_RATIO = 1.10
CASES = (("RNN", False), ("LSTM", False), ("GRU", False), ("LSTM", True))
FULL = {"batch": 64, "length": 100, "shortest": 20, "hidden": 128, "repeats": 15, "texts": 100_000}
QUICK = {"batch": 8, "length": 12, "shortest": 3, "hidden": 8, "repeats": 2, "texts": 500}
FEATURES, CLASSES = 8, 5


class HandPacked(nn.Module):
    """What a PyTorch user writes for variable lengths: pack, run, take h_n, project."""

    def __init__(self, cell: str, hidden: int, bidirectional: bool):
        super().__init__()
        self.rnn = getattr(nn, cell)(FEATURES, hidden, batch_first=True, bidirectional=bidirectional)
        self.head = nn.Linear(hidden * (2 if bidirectional else 1), CLASSES)

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        _, h_n = self.rnn(packed)
        h_n = h_n[0] if isinstance(h_n, tuple) else h_n
        last = torch.cat([h_n[-2], h_n[-1]], dim=-1) if self.rnn.bidirectional else h_n[-1]
        return self.head(last)


def _compiled(cell: str, hidden: int, bidirectional: bool, length: int):
    doc = GraphDocument()
    doc.data = DataSignature("sequence", FEATURES, None, length, "classification", CLASSES, "accuracy")
    doc.add_node("SequenceInput", node_id="x")
    doc.add_node(cell, {"hidden_size": hidden, "bidirectional": bidirectional, "output": "last"}, node_id="rnn")
    doc.add_node("Classification", node_id="head")
    doc.connect("x", "out", "rnn", "in")
    doc.connect("rnn", "out", "head", "in")
    return compile_graph(doc, doc.data)


def _step(model, optimizer, x, y, **lengths):
    optimizer.zero_grad(set_to_none=True)
    loss = nn.functional.cross_entropy(model(x, **lengths), y)
    loss.backward()
    optimizer.step()


def _training_case(cell: str, bidirectional: bool, size: dict) -> dict:
    torch.manual_seed(0)
    engine = _compiled(cell, size["hidden"], bidirectional, size["length"])
    hand = HandPacked(cell, size["hidden"], bidirectional)
    hand.rnn.load_state_dict(engine.rnn.state_dict())
    hand.head.load_state_dict(engine.head.state_dict())
    x = torch.randn(size["batch"], size["length"], FEATURES)
    lengths = torch.randint(size["shortest"], size["length"] + 1, (size["batch"],))
    y = torch.randint(0, CLASSES, (size["batch"],))
    torch.testing.assert_close(engine(x, lengths=lengths), hand(x, lengths), rtol=1e-4, atol=1e-5)
    padded = _compiled(cell, size["hidden"], bidirectional, size["length"])
    optimizers = {
        name: torch.optim.Adam(m.parameters(), lr=1e-3) for name, m in (("e", engine), ("h", hand), ("p", padded))
    }
    times = interleave(
        {
            "engine": lambda: _step(engine, optimizers["e"], x, y, lengths=lengths),
            "packed": lambda: _step(hand, optimizers["h"], x, y, lengths=lengths),
            "padded": lambda: _step(padded, optimizers["p"], x, y),
        },
        repeats=size["repeats"],
    )
    return {
        "case": f"{cell}{' bidirectional' if bidirectional else ''}",
        "ms": {name: 1000 * median(samples) for name, samples in times.items()},
        "engine_vs_packed": paired_ratio(times["engine"], times["packed"]),
        "engine_vs_padded": paired_ratio(times["engine"], times["padded"]),
    }


def _tokenising(count: int) -> dict:
    texts = [text for text, *_ in generate_reviews(count, seed=1)]
    started = time.perf_counter()
    for text in texts:
        text.split()
    split_seconds = time.perf_counter() - started
    started = time.perf_counter()
    tokenizer = Tokenizer("word")
    tokens = [tokenizer.tokens(text) for text in texts]
    tokenise_seconds = time.perf_counter() - started
    started = time.perf_counter()
    vocabulary = build_vocabulary(tokens, min_count=1, max_size=20000)
    encode_padded(tokens, vocabulary, 200)
    vocabulary_seconds = time.perf_counter() - started
    return {
        "texts": count,
        "tokenise_s": tokenise_seconds,
        "vocabulary_and_encode_s": vocabulary_seconds,
        "whitespace_split_s": split_seconds,
        "total_s": tokenise_seconds + vocabulary_seconds,
        "vocabulary": len(vocabulary),
    }


def run(quick: bool) -> dict:
    size = QUICK if quick else FULL
    cases = [_training_case(cell, bidirectional, size) for cell, bidirectional in CASES]
    rows = [("case", "engine ms", "hand packed ms", "padded ms", "engine/packed", "engine/padded")]
    for case in cases:
        ms = case["ms"]
        rows.append(
            (case["case"], ms["engine"], ms["packed"], ms["padded"], case["engine_vs_packed"], case["engine_vs_padded"])
        )
    print_table(f"training step, batch {size['batch']}, lengths {size['shortest']}-{size['length']}", rows)
    text = _tokenising(size["texts"])
    print_table(
        f"tokenising {text['texts']:,} short reviews",
        [
            ("stage", "seconds"),
            ("word tokens", text["tokenise_s"]),
            ("vocabulary + ids", text["vocabulary_and_encode_s"]),
            ("str.split only", text["whitespace_split_s"]),
        ],
    )
    worst = max(c["engine_vs_packed"] for c in cases)
    return {
        "cases": cases,
        "worst_ratio": worst,
        "worst_vs_padded": max(c["engine_vs_padded"] for c in cases),
        "target_ratio": TARGET_RATIO,
        "target_met": worst <= TARGET_RATIO,
        "tokenising": text,
    }
