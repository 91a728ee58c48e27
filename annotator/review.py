"""Adjudication into gold: every annotator's spans of a document as candidates for the gold layer.

A candidate is one distinct (start, end, label) that some layer of the document holds. Each
carries a mark per layer that holds it exactly, ``k of n`` (how many of the finished, counted
layers hold it: an unfinished layer's mark is shown but not counted, since its annotator may
not have got there yet), its overlap group (candidates that overlap-match across layers, by
annotator/agreement/matching.py: the versions of one mention side by side) and its state:

- accepted: gold holds exactly this span;
- rejected: the reviewer rejected it (review_rejections, migration 0004);
- resolved: gold holds another version of it (a same-label span overlapping it: the reviewer
  took another layer's boundaries or moved the accepted span's edges);
- undecided: none of these.

Who counts as an annotator: every layer of the document except ``gold`` (it is what is being
decided: counting it would let each accept raise its own agreement) and, unless the reviewer
ticks them, ``reference`` and ``model`` (an answer key from elsewhere and a model's
pre-annotations are not the team's judgements; counted, a model would outvote people). Their
spans are still candidates, with their marks.

A candidate is agreed when ``k >= threshold`` (default: n, every finished counted layer holds
it); with no finished counted layer nothing is agreed. Gold spans that match no candidate
(added or moved by the reviewer) are listed too, accepted, with k = 0.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

import orjson

from annotator.models import NO_ATTRIBUTES, Status

GOLD = "gold"
NOT_COUNTED_UNLESS_TICKED = ("reference", "model")

CandidateState = Literal["accepted", "rejected", "resolved", "undecided"]
Interval = tuple[int, int, str]  # start, end, label


class RelationEnd(NamedTuple):
    """A relation some layer has at a candidate: its label, whether the candidate is its head, the other end."""

    label: str
    head: bool
    other: Interval


@dataclass(frozen=True)
class ReviewOptions:
    threshold: int | None = None  # agreed at k >= threshold; None: every finished counted layer (k = n)
    counted: frozenset[str] = frozenset()  # reference/model layers the reviewer counts as annotators


DEFAULT_OPTIONS = ReviewOptions()


@dataclass(frozen=True)
class LayerContent:
    """One layer of the document as read for review."""

    name: str
    status: Status
    spans: tuple[tuple[int, int, int, str, Mapping[str, Any]], ...]  # id, start, end, label, attributes
    relations: tuple[tuple[str, int, int], ...] = ()  # label, head span id, tail span id


@dataclass(frozen=True)
class ReviewLayer:
    name: str
    status: Status
    counted: bool

    @property
    def finished(self) -> bool:
        return self.status == "done"


@dataclass(frozen=True)
class Candidate:
    start: int
    end: int
    label: str
    text: str
    marks: tuple[str, ...]  # the layers holding exactly this span
    k: int
    n: int
    agreed: bool
    state: CandidateState
    group: int
    attributes: Mapping[str, Any] = field(default_factory=dict)  # the value most of its layers give each attribute
    relations: tuple[RelationEnd, ...] = ()
    gold_span_id: int | None = None

    @property
    def key(self) -> Interval:
        return (self.start, self.end, self.label)


@dataclass(frozen=True)
class ReviewBoard:
    document_id: int
    layers: tuple[ReviewLayer, ...]
    n: int
    threshold: int  # k at which a candidate is agreed (n by default)
    candidates: tuple[Candidate, ...] = field(default=())
    gold_status: Status = "todo"

    @property
    def reviewed(self) -> bool:
        return self.gold_status == "done"

    def agreed_undecided(self) -> list[Candidate]:
        return [c for c in self.candidates if c.agreed and c.state == "undecided"]

    def find(self, key: Interval) -> Candidate | None:
        return next((c for c in self.candidates if c.key == key), None)


def build_board(
    document_id: int,
    text: str,
    layers: Sequence[LayerContent],
    gold: LayerContent | None,
    rejected: Iterable[Interval],
    options: ReviewOptions = DEFAULT_OPTIONS,
) -> ReviewBoard:
    """The review board of one document from its layers (gold apart), gold and the rejections."""
    sources = sorted((layer for layer in layers if layer.name != GOLD), key=lambda layer: layer.name)
    shown = tuple(ReviewLayer(layer.name, layer.status, _counted(layer.name, options)) for layer in sources)
    voters = {layer.name for layer in shown if layer.counted and layer.finished}
    n = len(voters)
    threshold = n if options.threshold is None else max(1, options.threshold)
    gold_spans = gold.spans if gold is not None else ()
    groups = _overlap_groups([*sources, *([gold] if gold is not None else [])])
    marks: dict[Interval, list[str]] = {}
    group_of: dict[Interval, int] = {}
    values: dict[Interval, list[Mapping[str, Any]]] = {}
    for layer in sources:
        for span_id, start, end, label, attributes in layer.spans:
            key = (start, end, label)
            marks.setdefault(key, []).append(layer.name)
            values.setdefault(key, []).append(attributes)
            group_of.setdefault(key, groups[span_id])
    relations = _relation_ends(sources)
    in_gold = {(start, end, label): span_id for span_id, start, end, label, _a in gold_spans}
    for span_id, start, end, label, _a in gold_spans:
        group_of.setdefault((start, end, label), groups[span_id])
    rejected_keys = set(rejected)
    gold_places = _GoldByLabel(gold_spans)
    numbers: dict[int, int] = {}  # groups numbered from 1 in text order
    candidates = []
    for key in sorted(group_of):
        holders = tuple(marks.get(key, ()))
        k = sum(1 for name in holders if name in voters)
        start, end, label = key
        candidates.append(
            Candidate(
                start,
                end,
                label,
                text[start:end],
                holders,
                k,
                n,
                n > 0 and k >= threshold,
                _state(key, in_gold, rejected_keys, gold_places),
                numbers.setdefault(group_of[key], len(numbers) + 1),
                _majority(values.get(key, ())),
                tuple(sorted(relations.get(key, ()))),
                in_gold.get(key),
            )
        )
    status = gold.status if gold is not None else "todo"
    return ReviewBoard(document_id, shown, n, threshold, tuple(candidates), status)


def _counted(name: str, options: ReviewOptions) -> bool:
    return name not in NOT_COUNTED_UNLESS_TICKED or name in options.counted


def _state(
    key: Interval, in_gold: Mapping[Interval, int], rejected: set[Interval], gold: _GoldByLabel
) -> CandidateState:
    if key in in_gold:
        return "accepted"
    if key in rejected:
        return "rejected"
    return "resolved" if gold.overlaps(key) else "undecided"


class _GoldByLabel:
    """Gold's spans per label, sorted by start, to tell whether one overlaps a place without
    looking at every one (a long document's thousands of candidates against thousands of gold spans)."""

    def __init__(self, spans: Iterable[tuple[int, int, int, str, Mapping[str, Any]]]) -> None:
        self._by_label: dict[str, list[tuple[int, int]]] = {}
        for _id, start, end, label, _attributes in spans:
            self._by_label.setdefault(label, []).append((start, end))
        self._longest = {label: max(e - s for s, e in places) for label, places in self._by_label.items()}
        for places in self._by_label.values():
            places.sort()

    def overlaps(self, key: Interval) -> bool:
        start, end, label = key
        places = self._by_label.get(label)
        if not places:
            return False
        first = bisect_left(places, (start - self._longest[label] + 1,))
        return any(g_end > start for _g_start, g_end in places[first : bisect_left(places, (end,))])


def _overlap_groups(layers: Sequence[LayerContent]) -> dict[int, int]:
    """Each span id's group: spans joined by overlap matching (matching.py) between any two layers."""
    # Imported here: the agreement package's __init__ loads numpy, which an edit need not pay for.
    from annotator.agreement.matching import overlap_matches

    parent: dict[int, int] = {}

    def root(span_id: int) -> int:
        while parent[span_id] != span_id:
            parent[span_id] = parent[parent[span_id]]
            span_id = parent[span_id]
        return span_id

    as_matched = [[(start, end, label, span_id) for span_id, start, end, label, _a in layer.spans] for layer in layers]
    for spans in as_matched:
        for span in spans:
            parent[span[3]] = span[3]
    for i, first in enumerate(as_matched):
        for second in as_matched[i + 1 :]:
            for a, b in overlap_matches(first, second):
                parent[root(a[3])] = root(b[3])
    return {span_id: root(span_id) for span_id in parent}


def _relation_ends(layers: Iterable[LayerContent]) -> dict[Interval, set[RelationEnd]]:
    """For each span (by place and label), the relations its layers have at it."""
    ends: dict[Interval, set[RelationEnd]] = {}
    for layer in layers:
        where = {span_id: (start, end, label) for span_id, start, end, label, _a in layer.spans}
        for label, head, tail in layer.relations:
            if head in where and tail in where:
                ends.setdefault(where[head], set()).add(RelationEnd(label, True, where[tail]))
                ends.setdefault(where[tail], set()).add(RelationEnd(label, False, where[head]))
    return ends


def _majority(versions: Sequence[Mapping[str, Any]]) -> Mapping[str, Any]:
    """Each attribute's most frequent value among the layers' versions (ties: the first layer's, by name)."""
    names = sorted({name for attributes in versions for name in attributes})
    if not names:
        return NO_ATTRIBUTES
    chosen: dict[str, Any] = {}
    for name in names:
        given = [attributes[name] for attributes in versions if name in attributes]
        counts = Counter(orjson.dumps(value, option=orjson.OPT_SORT_KEYS) for value in given)
        best = max(counts.values())
        chosen[name] = next(v for v in given if counts[orjson.dumps(v, option=orjson.OPT_SORT_KEYS)] == best)
    return chosen
