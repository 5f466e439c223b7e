"""Built-in task: which of nine speakers said the vowels? (UCI/UEA Japanese vowels.)

Real recordings of different lengths: each utterance is 7 to 29 frames of 12 LPC cepstrum
coefficients; the official split is kept (270 training utterances, 370 test utterances as the
validation set). The files ship in resources/data/japanese_vowels/ with their source and
licence (see the README there) and are read without the package that ships them.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from ..params import Param
from .base import DataError, Dataset, DataSignature, Params, TaskSpec
from .files import SAMPLE_DIR
from .sequence_table import LabelledSequences, sequence_dataset, sequence_signature
from .ts_file import read_ts

FOLDER = SAMPLE_DIR / "japanese_vowels"
FEATURES = [f"cepstrum {i}" for i in range(1, 13)]
MAX_LENGTH = 29  # the longest utterance: nothing is ever cut


@lru_cache(maxsize=1)
def _load() -> LabelledSequences:
    train, train_labels, classes = read_ts(FOLDER / "JapaneseVowels_TRAIN.ts")
    val, val_labels, _ = read_ts(FOLDER / "JapaneseVowels_TEST.ts")
    unknown = sorted(set(train_labels + val_labels) - set(classes))
    if unknown:
        raise DataError(f"The Japanese vowels files hold undeclared speaker labels {unknown}; reinstall the app.")
    index = {label: i for i, label in enumerate(classes)}
    labels = np.array([index[label] for label in train_labels + val_labels], dtype=np.int64)
    rows = np.arange(len(labels))
    return LabelledSequences(
        train + val, labels, [f"speaker {c}" for c in classes], FEATURES, rows[: len(train)], rows[len(train) :]
    )


def _signature(p: Params, base_dir: Path | None) -> DataSignature:
    return sequence_signature(_load(), MAX_LENGTH)


def _build(p: Params, base_dir: Path | None, seed: int) -> Dataset:
    return sequence_dataset(_load(), MAX_LENGTH, p["normalise"], "Japanese vowels (UCI), speaker of each utterance")


JAPANESE_VOWELS = TaskSpec(
    name="japanese_vowels",
    title="Japanese vowels: speaker identification",
    description="Real utterances of 7-29 frames of 12 cepstrum coefficients; tell which of 9 speakers spoke.",
    params=(
        Param(
            name="normalise",
            type="bool",
            default=True,
            help="Standardise each coefficient with the training utterances' mean and spread.",
        ),
    ),
    signature_fn=_signature,
    build_fn=_build,
)
