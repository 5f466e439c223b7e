"""A generated corpus of short reviews whose label depends on negation scope.

"the film was not really very good ." is negative; "the film was really very good ." is
positive. The negator stands 0 to `max_distance` words before the sentiment word (the
`distance` column), so a model must carry a "negated" flag across that many words; reviews
without negation get the same filler words, so length gives nothing away. One review in five
opens with a clause that holds a negation of its own and ends at a comma ("i did not expect
much , but ..."): that negation does not reach the sentiment word, so counting "not" is not
enough either. The bundled sample resources/data/sample_reviews.csv is `write_reviews(path)`.

Run `python -m engine.data.review_corpus PATH [ROWS] [SEED]` to write another.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import numpy as np

POSITIVE = ("good", "great", "excellent", "lovely", "wonderful", "enjoyable", "superb", "pleasant")
NEGATIVE = ("bad", "awful", "terrible", "poor", "boring", "dull", "horrible", "disappointing")
NEGATORS = ("not", "never", "hardly")
FILLERS = ("really", "very", "so", "that", "quite", "particularly", "especially", "truly", "all", "too")
NOUNS = ("film", "book", "meal", "hotel", "phone", "service", "album", "game", "show", "room")
VERBS = ("was", "is", "seemed", "felt")
OPENERS = ("", "honestly ,", "overall", "i think", "to be fair ,", "in short ,")
DISTRACTORS = ("i did not expect much , but", "not everyone agreed , but", "i never read reviews , but")
CLOSERS = (".", "!", "to me .", "in the end .", "for the price .")
HEADER = ("text", "label", "negated", "distance")


def generate_reviews(rows: int, seed: int = 0, max_distance: int = 8) -> list[tuple[str, str, str, int]]:
    """`rows` of (text, "positive"/"negative", "yes"/"no", negation distance or -1)."""
    rng = np.random.default_rng(seed)
    reviews = []
    for _ in range(rows):
        positive_word = rng.random() < 0.5
        negated = rng.random() < 0.5
        fillers = [str(rng.choice(FILLERS)) for _ in range(int(rng.integers(0, max_distance + 1)))]
        word = str(rng.choice(POSITIVE if positive_word else NEGATIVE))
        scope = ([str(rng.choice(NEGATORS))] if negated else []) + fillers + [word]
        parts = [
            str(rng.choice(DISTRACTORS)) if rng.random() < 0.2 else "",
            str(rng.choice(OPENERS)),
            f"the {rng.choice(NOUNS)} {rng.choice(VERBS)}",
            " ".join(scope),
            str(rng.choice(CLOSERS)),
        ]
        label = "positive" if positive_word != negated else "negative"
        text = " ".join(part for part in parts if part)
        reviews.append((text, label, "yes" if negated else "no", len(fillers) if negated else -1))
    return reviews


def negation_distance(text: str) -> int:
    """Words between the negator that scopes the sentiment word and that word; -1 if none does.

    Read back from the text alone (a clause before a comma does not scope the word), so a
    model's validation texts can be grouped by distance without the file's extra columns.
    """
    words = text.split()
    sentiment = max(i for i, word in enumerate(words) if word in POSITIVE or word in NEGATIVE)
    for i in range(sentiment - 1, -1, -1):
        if words[i] == ",":
            return -1
        if words[i] in NEGATORS:
            return sentiment - i - 1
    return -1


def write_reviews(path: Path | str, rows: int = 3000, seed: int = 0) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(generate_reviews(rows, seed))


if __name__ == "__main__":
    if not 2 <= len(sys.argv) <= 4:
        sys.exit("usage: python -m engine.data.review_corpus PATH [ROWS] [SEED]")
    write_reviews(sys.argv[1], *(int(arg) for arg in sys.argv[2:]))
