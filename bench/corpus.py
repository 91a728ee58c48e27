"""A deterministic corpus in the native JSONL form, for the import/export benchmark.

Each document is news-like text of about 2,000 code points (curly quotes, an emoji now
and then, some CJK, some "\\r\\n" line breaks) with on average exactly 10 spans of the
news schema (ACTOR with its kind, CLAIM, DATE mostly with an ISO value) and SAID_BY /
WHEN relations from each CLAIM. Spans never overlap, so they pass any overlap rule.

Every line is exactly what `annotator export` writes for such a document (key order,
span ids numbered by (start, end, label), relation ids by (head, tail, label), the
schema stamp), so an import followed by an export should give the same bytes.

Usage: python bench/corpus.py --docs 10000 [--seed 1]  (prints the cached path)
"""

from __future__ import annotations

import argparse
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from annotator.schema import load_schema

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
SCHEMA_PATH = ROOT / "annotator" / "example" / "news.yaml"
ANNOTATOR = "bench"
STATUS = "done"
MEAN_SPANS = 10
MAX_SPREAD = 5  # spans per document run from MEAN_SPANS - 5 to MEAN_SPANS + 5
TARGET_CHARS = (1780, 2080)
ARTICLE_DATE = "2014-11-14"

_WORD_TEXT = (
    "the a of and to in that for on with as by at from its their this was were has have had will would "
    "could may might also but not after before over under between against during about into than more "
    "government talks trade economic ties nuclear sanctions agreement visit minister official envoy "
    "president ministry agency report statement committee council region border security policy "
    "market growth budget election vote campaign debate reform court ruling law decision meeting summit "
    "delegation plan programme aid support pressure tension crisis conflict peace deal record rights "
    "analysts observers diplomats experts residents workers farmers companies banks investors prices "
    "energy oil gas exports imports tariffs currency inflation jobs wages industry production capacity "
    "expected considered reported announced confirmed denied warned urged agreed rejected proposed "
    "increase decrease strengthen weaken improve boost ease reduce expand limit maintain resume delay "
    "long-time senior former current regional national international foreign domestic public private "
    "north south east west capital city province village coast island river mountain port airport"
)
WORDS = _WORD_TEXT.split()
EXTRA_WORDS = ("café", "naïve", "résumé", "São Paulo", "Zürich", "Ångström", "coöperate", "façade")
EMOJI = ("🙂", "📈", "🇰🇷", "👍🏽", "🌏", "👩‍💻", "✅")
CJK = ("北京", "东京", "首尔", "平壤", "外交部", "经济合作", "新闻发布会", "朝鲜半岛", "会谈")
PERSONS = (
    "Kim Jong Un", "Choe Ryong Hae", "Xi Jinping", "Barack Obama", "Angela Merkel", "Koh Yu-hwan",
    "Cheong Seong-chang", "Shinzō Abe", "François Hollande", "Dilma Rousseff", "Narendra Modi", "Park Geun-hye",
)  # fmt: skip
ORGANISATIONS = (
    "Korean Central News Agency", "Workers’ Party", "Sejong Institute", "European Union", "UN",
    "Dongguk University", "Russia’s foreign ministry", "World Bank", "IMF", "新华社",
)  # fmt: skip
STATES = ("Russia", "North Korea", "South Korea", "China", "Japan", "US", "Seoul", "Washington", "Moscow", "Beijing")
OTHERS = ("analysts", "observers", "diplomats", "residents")
VERBS = ("said", "told reporters", "announced", "noted", "claimed", "stated")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")  # fmt: skip


@dataclass
class Piece:
    """A sentence with its spans (offsets relative to the sentence) and relations by span index."""

    text: str
    spans: list[tuple[int, int, str, dict[str, Any]]] = field(default_factory=list)
    relations: list[tuple[str, int, int]] = field(default_factory=list)  # label, head, tail


class Builder:
    """Appends text and spans while tracking code-point offsets."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.piece = Piece("")

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.length += len(text)

    def span(self, text: str, label: str, attributes: dict[str, Any]) -> int:
        start = self.length
        self.add(text)
        self.piece.spans.append((start, self.length, label, attributes))
        return len(self.piece.spans) - 1

    def finish(self) -> Piece:
        self.piece.text = "".join(self.parts)
        return self.piece


def words(rng: random.Random, count: int) -> str:
    chosen = rng.choices(WORDS, k=count)
    if rng.random() < 0.15:
        chosen[rng.randrange(count)] = rng.choice(EXTRA_WORDS)
    return " ".join(chosen)


def actor(rng: random.Random) -> tuple[str, dict[str, Any]]:
    kind = rng.choices(("person", "organisation", "state", "other"), weights=(4, 3, 3, 1))[0]
    pool = {"person": PERSONS, "organisation": ORGANISATIONS, "state": STATES, "other": OTHERS}[kind]
    return rng.choice(pool), {"kind": kind}


def date(rng: random.Random) -> tuple[str, dict[str, Any]]:
    shape = rng.randrange(6)
    if shape == 0:
        return "yesterday", {"value": "2014-11-13"}
    if shape == 1:
        return "next week", {"value": "2014-W47"}
    if shape == 2:
        return "Soviet times", {}
    if shape == 3:
        day = rng.randrange(7)
        return WEEKDAYS[day], {"value": f"2014-11-{17 + day:02d}"}
    month, day = rng.randrange(12), rng.randint(1, 28)
    return f"{day} {MONTHS[month]} 2014", {"value": f"2014-{month + 1:02d}-{day:02d}"}


def reporting_sentence(rng: random.Random) -> Piece:
    """ACTOR verb [on DATE] that CLAIM: three spans, SAID_BY and sometimes WHEN."""
    b = Builder()
    if rng.random() < 0.3:
        b.add(rng.choice(("In a statement, ", "Later, ", "On the record, ")))
    name, attrs = actor(rng)
    who = b.span(name, "ACTOR", attrs)
    b.add(f" {rng.choice(VERBS)} ")
    when_text, when_attrs = date(rng)
    when = b.span(when_text, "DATE", when_attrs)
    quoted = rng.random() < 0.4
    b.add(" that “" if quoted else " that ")
    what = b.span(words(rng, rng.randint(6, 14)), "CLAIM", {})
    b.add("”." if quoted else ".")
    b.piece.relations.append(("SAID_BY", what, who))
    if rng.random() < 0.3:
        b.piece.relations.append(("WHEN", what, when))
    return b.finish()


def mention_sentence(rng: random.Random) -> Piece:
    """Plain text with one ACTOR (possibly possessive) or one DATE."""
    b = Builder()
    b.add(words(rng, rng.randint(3, 8)).capitalize() + " ")
    if rng.random() < 0.65:
        name, attrs = actor(rng)
        b.span(name, "ACTOR", attrs)
        b.add("’s " if rng.random() < 0.2 else " ")
    else:
        text, attrs = date(rng)
        b.span(text, "DATE", attrs)
        b.add(" ")
    b.add(words(rng, rng.randint(4, 10)) + ".")
    return b.finish()


def filler_sentence(rng: random.Random) -> Piece:
    text = words(rng, rng.randint(8, 20)).capitalize()
    roll = rng.random()
    if roll < 0.08:
        text += " " + rng.choice(EMOJI)
    elif roll < 0.14:
        text += "（" + rng.choice(CJK) + "）"
    return Piece(text + ".")


def span_pieces(rng: random.Random, count: int) -> list[Piece]:
    """Sentences carrying exactly `count` spans."""
    reporting = rng.randint(1, min(3, count // 3)) if count >= 3 else 0
    pieces = [reporting_sentence(rng) for _ in range(reporting)]
    pieces += [mention_sentence(rng) for _ in range(count - 3 * reporting)]
    return pieces


def separator(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.12:
        return "\n\n"
    if roll < 0.18:
        return "\r\n"
    return " "


def document(rng: random.Random, number: int, span_count: int, schema: dict[str, Any]) -> dict[str, Any]:
    pieces = span_pieces(rng, span_count)
    target = rng.randint(*TARGET_CHARS)
    size = sum(len(p.text) + 1 for p in pieces)
    while size < target:
        filler = filler_sentence(rng)
        pieces.append(filler)
        size += len(filler.text) + 1
    rng.shuffle(pieces)
    return assemble(rng, number, pieces, schema)


def assemble(rng: random.Random, number: int, pieces: list[Piece], schema: dict[str, Any]) -> dict[str, Any]:
    parts: list[str] = [f"Bench article {number}\n\n"]
    offset = len(parts[0])
    spans: list[tuple[int, int, str, dict[str, Any]]] = []
    relations: list[tuple[str, int, int]] = []
    for index, piece in enumerate(pieces):
        if index:
            sep = separator(rng)
            parts.append(sep)
            offset += len(sep)
        base = len(spans)
        spans += [(offset + s, offset + e, label, attrs) for s, e, label, attrs in piece.spans]
        relations += [(label, base + head, base + tail) for label, head, tail in piece.relations]
        parts.append(piece.text)
        offset += len(piece.text)
    return record(f"bench-{number:06d}", "".join(parts), spans, relations, schema)


def record(
    external_id: str,
    text: str,
    spans: list[tuple[int, int, str, dict[str, Any]]],
    relations: list[tuple[str, int, int]],
    schema: dict[str, Any],
) -> dict[str, Any]:
    """The export's line for one layer: spans and relations in the export's canonical order."""
    order = sorted(range(len(spans)), key=lambda i: spans[i][:3])
    number = {old: new for new, old in enumerate(order, start=1)}
    linked = sorted((number[head], number[tail], label) for label, head, tail in relations)
    return {
        "id": external_id,
        "text": text,
        "meta": {"date": ARTICLE_DATE, "source": f"{external_id}.txt"},
        "spans": [
            {
                "id": f"s{number[i]}",
                "start": spans[i][0],
                "end": spans[i][1],
                "label": spans[i][2],
                "text": text[spans[i][0] : spans[i][1]],
                "attributes": spans[i][3],
            }
            for i in order
        ],
        "relations": [
            {"id": f"r{n}", "label": label, "head": f"s{head}", "tail": f"s{tail}"}
            for n, (head, tail, label) in enumerate(linked, start=1)
        ],
        "annotator": ANNOTATOR,
        "status": STATUS,
        "schema": schema,
    }


def span_counts(rng: random.Random, docs: int) -> list[int]:
    """Per-document span counts averaging exactly MEAN_SPANS (pairs MEAN-k, MEAN+k)."""
    counts: list[int] = []
    for _ in range(docs // 2):
        k = rng.randint(0, MAX_SPREAD)
        pair = [MEAN_SPANS + k, MEAN_SPANS - k]
        rng.shuffle(pair)
        counts += pair
    if docs % 2:
        counts.append(MEAN_SPANS)
    return counts


def schema_stamp() -> dict[str, Any]:
    schema = load_schema(SCHEMA_PATH)
    return {"name": schema.name, "version": schema.version, "sha256": schema.sha256}


def corpus_path(docs: int, seed: int) -> Path:
    return OUT / f"corpus-{docs}-seed{seed}.jsonl"


def write_corpus(path: Path, docs: int, seed: int) -> None:
    rng = random.Random(seed)
    schema = schema_stamp()
    partial = path.with_suffix(".partial")
    with partial.open("wb") as out:
        for number, count in enumerate(span_counts(rng, docs), start=1):
            out.write(orjson.dumps(document(rng, number, count, schema)) + b"\n")
    partial.replace(path)


def ensure_corpus(docs: int, seed: int = 1) -> Path:
    """The cached corpus for (docs, seed), generated on first use."""
    path = corpus_path(docs, seed)
    if not path.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        write_corpus(path, docs, seed)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    print(ensure_corpus(args.docs, args.seed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
