"""A small generated corpus to train a model on in tests: news-like sentences from templates, with
ACTOR and DATE spans, and CLAIMs that hold ACTORs and DATEs inside them (as the example's reference
does), in the native JSONL form, as one layer marked done.

Deterministic for a seed; external ids "PREFIX-0", "PREFIX-1", ... ("gen" by default).
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

PERSONS = (
    "Kim Jong Un", "Choe Ryong Hae", "Xi Jinping", "Barack Obama", "Angela Merkel", "Koh Yu-hwan",
    "Park Geun-hye", "Narendra Modi", "Vladimir Putin", "Shinzo Abe", "Cheong Seong-chang", "Ban Ki-moon",
)  # fmt: skip
GROUPS = (
    "Korean Central News Agency", "the foreign ministry", "Sejong Institute", "European Union", "UN",
    "Dongguk University", "the World Bank", "the IMF", "Workers' Party", "the central bank",
)  # fmt: skip
STATES = ("Russia", "North Korea", "South Korea", "China", "Japan", "US", "Seoul", "Washington", "Moscow", "Beijing")
DATES = (
    "yesterday", "last year", "next week", "on Monday", "last weekend", "this week", "on Friday",
    "in March", "last month", "next year", "on Tuesday", "today",
)  # fmt: skip
ACTIONS = (
    "will visit {state} soon",
    "would take steps to rejoin the talks",
    "is ready to discuss trade and economic ties",
    "plans to increase its influence in the region",
    "must first take steps toward nuclear disarmament",
    "hopes to ease its diplomatic isolation",
    "will send a special envoy to {state}",
    "could provide a much-needed economic boost",
)
SPEECH = ("said", "told reporters", "announced", "claimed", "stated")
FILLER = (
    "The talks come at a time of deepening isolation.",
    "Analysts expect little change in the coming months.",
    "Trade between the two countries has fallen sharply.",
    "The statement did not specify the exact purpose of the trip.",
    "Officials gave no further details.",
)


class _Writer:
    def __init__(self) -> None:
        self.text = ""
        self.spans: list[tuple[int, int, str]] = []

    def add(self, piece: str, label: str | None = None) -> tuple[int, int]:
        start = len(self.text)
        self.text += piece
        if label is not None:
            self.spans.append((start, len(self.text), label))
        return start, len(self.text)


def _actor(rng: random.Random) -> str:
    return rng.choice((*PERSONS, *GROUPS, *STATES))


def _sentence(writer: _Writer, rng: random.Random) -> None:
    kind = rng.randrange(4)
    if kind == 0:  # ACTOR said DATE that CLAIM(ACTOR ...)
        writer.add(_actor(rng), "ACTOR")
        writer.add(f" {rng.choice(SPEECH)} ")
        writer.add(rng.choice(DATES), "DATE")
        writer.add(" that ")
        claim_start = len(writer.text)
        writer.add(_actor(rng), "ACTOR")
        end = writer.add(" " + rng.choice(ACTIONS).format(state=rng.choice(STATES)))[1]
        writer.spans.append((claim_start, end, "CLAIM"))
        writer.add(".")
    elif kind == 1:  # ACTOR met ACTOR in STATE DATE.
        writer.add(rng.choice(PERSONS), "ACTOR")
        writer.add(" met ")
        writer.add(rng.choice(PERSONS), "ACTOR")
        writer.add(" in ")
        writer.add(rng.choice(STATES), "ACTOR")
        writer.add(" ")
        writer.add(rng.choice(DATES), "DATE")
        writer.add(".")
    elif kind == 2:  # CLAIM(ACTOR ...), ACTOR said.
        claim_start = len(writer.text)
        writer.add(_actor(rng), "ACTOR")
        end = writer.add(" " + rng.choice(ACTIONS).format(state=rng.choice(STATES)))[1]
        writer.spans.append((claim_start, end, "CLAIM"))
        writer.add(", ")
        writer.add(_actor(rng), "ACTOR")
        writer.add(f" {rng.choice(SPEECH)}.")
    else:
        writer.add(rng.choice(FILLER))


def generated_records(
    count: int, seed: int = 7, annotator: str = "reference", prefix: str = "gen"
) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    records = []
    for number in range(count):
        writer = _Writer()
        for paragraph in range(rng.randint(2, 4)):
            if paragraph:
                writer.add("\n\n")
            for sentence in range(rng.randint(2, 4)):
                if sentence:
                    writer.add(" ")
                _sentence(writer, rng)
        spans = [{"start": s, "end": e, "label": label} for s, e, label in sorted(writer.spans)]
        records.append(
            {
                "id": f"{prefix}-{number}",
                "text": writer.text,
                "meta": {"date": "2014-11-14"},
                "spans": spans,
                "annotator": annotator,
                "status": "done",
            }
        )
    return records


def write_corpus(path: Path, count: int, seed: int = 7, annotator: str = "reference", prefix: str = "gen") -> Path:
    records = generated_records(count, seed, annotator, prefix)
    lines = (json.dumps(record, ensure_ascii=False) for record in records)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
