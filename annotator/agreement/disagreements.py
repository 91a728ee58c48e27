"""Where two annotators' layers disagree, document by document: the disagreement browser's list.

For each pair of compared annotators and each document they both finished (status `done` by
default, as `annotator agreement`), the spans are paired as agreement pairs them (matching.py:
exact, then one-to-one overlap of the same label), and what is left over is a disagreement:

  boundary   an overlap-matched pair whose start or end differ
  label      a span left unmatched in each layer, sharing characters, with different labels
             (paired one-to-one, greedy by largest overlap, as matching.py does for one label)
  missing    a span still unmatched: the other layer has no counterpart for it
  relation   a relation of one layer that the other lacks between the counterparts of its ends
             (with another label there: one disagreement showing both)
  attribute  a schema attribute that overlap-matched spans hold with different values (or one unset)

So per pair: boundary = overlap matches - exact matches, and missing + 2 x label = spans of
both layers - 2 x overlap matches; attribute = attributes compared - agreed, as `annotator
agreement` counts them. A document's disagreements come sorted by position (start, end, kind,
pair); documents in import (id) order, read a chunk at a time in one read snapshot, so memory
holds one chunk whatever the project's size.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from itertools import combinations
from typing import Any, Literal

import orjson
from sqlalchemy import select

from annotator.agreement.layers import MISSING, Layer
from annotator.agreement.matching import Pair, Span, exact_matches, overlap_matches
from annotator.agreement.read import (
    CHUNK_DOCUMENTS,
    checked_labels,
    choose_annotators,
    group_attribute_names,
    read_documents,
    shared_documents,
)
from annotator.db.engine import read_snapshot
from annotator.db.tables import DocumentRow
from annotator.errors import ValidationError
from annotator.models import STATUSES
from annotator.project import Project
from annotator.short_text import one_line, printable

Kind = Literal["missing", "label", "boundary", "relation", "attribute"]
KINDS: tuple[Kind, ...] = ("missing", "label", "boundary", "relation", "attribute")
EXCERPT = 40  # characters of a span's text quoted in a version


@dataclass(frozen=True, slots=True)
class Version:
    """What one annotator's layer holds at a disagreement; label None: nothing."""

    annotator: str
    label: str | None = None  # a span's label, or a relation's
    start: int | None = None
    end: int | None = None
    text: str = ""  # a span's: an excerpt of its text (one line, at most EXCERPT characters)
    ends: str = ""  # a relation's: "CLAIM '…' → ACTOR '…'" (start, end: what its ends cover)
    attribute: str = ""  # an attribute disagreement's value on this span: "kind=person", "kind unset"

    def describe(self) -> str:
        """alice: ACTOR 'Kim Jong Un' [120,131); bob: none; carol: SAID_BY CLAIM '…' → ACTOR '…'."""
        return f"{self.annotator}: {self.what()}"

    def what(self) -> str:
        """What the layer holds there, without whose it is: ACTOR 'Kim Jong Un' [120,131), or none."""
        if self.label is None:
            return "none"
        if self.ends:
            return f"{self.label} {self.ends}"
        # A text attribute can be a page long: the line quotes it as it quotes the span (--json has it whole).
        attribute = f" {one_line(self.attribute, 2 * EXCERPT, keep_end=True)}" if self.attribute else ""
        return f"{self.label} '{self.text}' [{self.start},{self.end}){attribute}"

    def as_json(self) -> dict[str, Any]:
        if self.label is None:
            return {"annotator": self.annotator, "label": None}
        found: dict[str, Any] = {"annotator": self.annotator, "label": self.label, "start": self.start, "end": self.end}
        if self.ends:
            found["ends"] = self.ends
        else:
            found["text"] = self.text
        if self.attribute:
            found["attribute"] = self.attribute
        return found


@dataclass(frozen=True, slots=True)
class Disagreement:
    document_id: int
    external_id: str
    kind: Kind
    start: int  # code points, end-exclusive: what both versions cover together
    end: int
    first: Version  # the pair's first annotator (in the order compared)
    second: Version

    def describe(self) -> str:
        """One line: document, range, kind, both versions."""
        return printable(  # a document id or a span's text can hold a line break or a terminal's escape
            f"{self.external_id} [{self.start},{self.end}) {self.kind}: "
            f"{self.first.describe()} — {self.second.describe()}"
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "document": self.external_id,
            "document_id": self.document_id,
            "kind": self.kind,
            "start": self.start,
            "end": self.end,
            "first": self.first.as_json(),
            "second": self.second.as_json(),
        }


@dataclass(frozen=True)
class DisagreementOptions:
    annotators: Sequence[str] | None = None  # None: every annotator with a finished layer
    labels: Sequence[str] | None = None  # None: every label of the schema
    statuses: Sequence[str] = ("done",)
    kinds: Collection[str] = KINDS  # checked against KINDS


class DisagreementScan:
    """The disagreements of a project, a document at a time, in one read snapshot.

    with DisagreementScan(project, options) as scan:  # annotators chosen, documents found
        for found in scan.documents():                 # one list per compared document
            ...
    Raises NotFoundError / ValidationError (on entering) as `annotator agreement` does.
    """

    def __init__(self, project: Project, options: DisagreementOptions = DisagreementOptions()) -> None:
        self.project = project
        self.options = options
        self.labels = checked_labels(project, options.labels)
        for kind in options.kinds:
            if kind not in KINDS:
                raise ValidationError(f"unknown kind {kind!r} (use one of {', '.join(KINDS)})")
        for status in options.statuses:
            if status not in STATUSES:
                raise ValidationError(f"unknown status {status!r} (use one of {', '.join(STATUSES)})")
        self.attribute_names = group_attribute_names(
            [
                (label.name, attribute.name)
                for label in project.schema.labels
                if label.name in self.labels
                for attribute in label.attributes
            ]
        )
        self.annotators: tuple[str, ...] = ()
        self.document_ids: list[int] = []
        self._annotator_ids: tuple[int, ...] = ()
        self._stack = ExitStack()

    def __enter__(self) -> DisagreementScan:
        try:
            self._connection = self._stack.enter_context(read_snapshot(self.project.engine))
            chosen = choose_annotators(
                self._connection, self.project.id, self.options.annotators, self.options.statuses
            )
            self.annotators, self._annotator_ids = chosen.names, chosen.ids
            self.document_ids = shared_documents(self._connection, self.project.id, chosen.ids, self.options.statuses)
        except BaseException:
            self._stack.close()
            raise
        if not self.document_ids:
            self._stack.close()
            finished = ", ".join(f"{name} {count}" for name, count in chosen.finished.items())
            raise ValidationError(
                f"no document is {'/'.join(self.options.statuses)} in every layer of {', '.join(chosen.names)} "
                f"(each finished: {finished}); choose others with --annotators or --status"
            )
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stack.close()

    def documents(self, chunk: int = CHUNK_DOCUMENTS) -> Iterator[list[Disagreement]]:
        """Each compared document's disagreements (maybe none), in document order; ``chunk``
        documents are read at a time (the window takes small bites to stay responsive)."""
        pairs = list(combinations(range(len(self.annotators)), 2))
        for at in range(0, len(self.document_ids), chunk):
            ids = self.document_ids[at : at + chunk]
            external = dict(
                self._connection.execute(
                    select(DocumentRow.id, DocumentRow.external_id).where(DocumentRow.id.in_(ids))
                ).all()
            )
            documents = read_documents(self._connection, ids, self._annotator_ids, self.labels)
            for document_id, document in zip(ids, documents, strict=True):
                found: list[tuple[tuple[int, int, int, int], Disagreement]] = []
                for pair, (first, second) in enumerate(pairs):
                    for disagreement in layer_disagreements(
                        Place(document_id, external[document_id], document.text),
                        (self.annotators[first], document.layers[first]),
                        (self.annotators[second], document.layers[second]),
                        self.attribute_names,
                        self.options.kinds,
                    ):
                        order = (disagreement.start, disagreement.end, KINDS.index(disagreement.kind), pair)
                        found.append((order, disagreement))
                found.sort(key=lambda item: item[0])
                yield [disagreement for _, disagreement in found]


def finished_annotators(project: Project, statuses: Sequence[str] = ("done",)) -> tuple[str, ...]:
    """Every annotator with a layer in one of ``statuses``, by name; ValidationError for fewer than 2."""
    with read_snapshot(project.engine) as connection:
        return choose_annotators(connection, project.id, None, statuses).names


@dataclass(frozen=True)
class Place:
    document_id: int
    external_id: str
    text: str


def layer_disagreements(
    place: Place,
    first: tuple[str, Layer],
    second: tuple[str, Layer],
    attribute_names: dict[str, Sequence[str]],
    kinds: Collection[str] = KINDS,
) -> list[Disagreement]:
    """The disagreements between two annotators' layers of one document (module doc), unsorted."""
    (ours_name, ours), (theirs_name, theirs) = first, second
    versions = _Versions(place.text, ours_name, theirs_name)
    found: list[Disagreement] = []

    def add(kind: Kind, ours_version: Version, theirs_version: Version) -> None:
        if kind in kinds:
            starts = [v.start for v in (ours_version, theirs_version) if v.start is not None]
            ends = [v.end for v in (ours_version, theirs_version) if v.end is not None]
            found.append(
                Disagreement(
                    place.document_id, place.external_id, kind, min(starts), max(ends), ours_version, theirs_version
                )
            )

    matched = overlap_matches(ours.spans, theirs.spans, exact_matches(ours.spans, theirs.spans))
    for a, b in matched:
        if a[0] != b[0] or a[1] != b[1]:
            add("boundary", versions.span(ours_name, a), versions.span(theirs_name, b))
    left_ours = _unmatched(ours.spans, {a[3] for a, _ in matched})
    left_theirs = _unmatched(theirs.spans, {b[3] for _, b in matched})
    # Leftovers that share characters have different labels (same-label ones were matched):
    # paired by the same greedy rule with the labels set aside; no exact pass, as one range may
    # carry several labels.
    relabelled = overlap_matches(_unlabelled(left_ours), _unlabelled(left_theirs), [])
    ours_by_id = {span[3]: span for span in left_ours}
    theirs_by_id = {span[3]: span for span in left_theirs}
    for a, b in relabelled:
        add("label", versions.span(ours_name, ours_by_id.pop(a[3])), versions.span(theirs_name, theirs_by_id.pop(b[3])))
    for span in ours_by_id.values():
        add("missing", versions.span(ours_name, span), Version(theirs_name))
    for span in theirs_by_id.values():
        add("missing", Version(ours_name), versions.span(theirs_name, span))
    if "relation" in kinds:
        _relations(ours, theirs, matched, versions, add)
    if "attribute" in kinds:
        _attributes(ours, theirs, matched, attribute_names, versions, add)
    return found


def _unmatched(spans: list[Span], matched_ids: set[int]) -> list[Span]:
    return [span for span in spans if span[3] not in matched_ids]


def _unlabelled(spans: list[Span]) -> list[Span]:
    return [(start, end, "", span_id) for start, end, _, span_id in spans]


class _Versions:
    """Versions made from a document's spans and relations."""

    def __init__(self, text: str, ours_name: str, theirs_name: str) -> None:
        self.text = text
        self.names = (ours_name, theirs_name)

    def excerpt(self, span: Span) -> str:
        return one_line(self.text[span[0] : span[1]], EXCERPT, keep_end=True)

    def span(self, annotator: str, span: Span, attribute: str = "") -> Version:
        return Version(annotator, span[2], span[0], span[1], self.excerpt(span), attribute=attribute)

    def relation(self, annotator: str, label: str, head: Span, tail: Span) -> Version:
        ends = f"{head[2]} '{self.excerpt(head)}' → {tail[2]} '{self.excerpt(tail)}'"
        return Version(annotator, label, min(head[0], tail[0]), max(head[1], tail[1]), ends=ends)


Add = Callable[[Kind, Version, Version], None]  # records one disagreement


def _relations(ours: Layer, theirs: Layer, matched: list[Pair], versions: _Versions, add: Add) -> None:
    """Relations of one layer not in the other between the counterparts of their ends (module doc)."""
    if not ours.relations and not theirs.relations:
        return
    ours_name, theirs_name = versions.names
    to_theirs = {a[3]: b[3] for a, b in matched}
    ours_spans = {span[3]: span for span in ours.spans}
    theirs_spans = {span[3]: span for span in theirs.spans}
    theirs_set = set(theirs.relations)
    agreed = {(label, to_theirs.get(head), to_theirs.get(tail)) for label, head, tail in ours.relations} & theirs_set
    ours_left = [r for r in ours.relations if (r[0], to_theirs.get(r[1]), to_theirs.get(r[2])) not in agreed]
    theirs_left: dict[tuple[int, int], list[str]] = {}
    for label, head, tail in theirs.relations:
        if (label, head, tail) not in agreed:
            theirs_left.setdefault((head, tail), []).append(label)
    for label, head, tail in ours_left:
        ours_version = versions.relation(ours_name, label, ours_spans[head], ours_spans[tail])
        their_head, their_tail = to_theirs.get(head), to_theirs.get(tail)
        other_labels = (
            theirs_left.get((their_head, their_tail)) if their_head is not None and their_tail is not None else None
        )
        if other_labels and their_head is not None and their_tail is not None:
            add(
                "relation",
                ours_version,
                versions.relation(theirs_name, other_labels.pop(0), theirs_spans[their_head], theirs_spans[their_tail]),
            )
        else:
            add("relation", ours_version, Version(theirs_name))
    for (head, tail), labels in theirs_left.items():
        for label in labels:
            add(
                "relation",
                Version(ours_name),
                versions.relation(theirs_name, label, theirs_spans[head], theirs_spans[tail]),
            )


def _attributes(
    ours: Layer,
    theirs: Layer,
    matched: list[Pair],
    attribute_names: dict[str, Sequence[str]],
    versions: _Versions,
    add: Add,
) -> None:
    """Each schema attribute either matched span has, with another value (or none) on the other."""
    if not ours.attributes and not theirs.attributes:
        return
    ours_name, theirs_name = versions.names
    for a, b in matched:
        ours_values = ours.attributes.get(a[3]) or {}
        theirs_values = theirs.attributes.get(b[3]) or {}
        if not ours_values and not theirs_values:
            continue
        for name in attribute_names.get(a[2], ()):
            value = ours_values.get(name, MISSING)
            other = theirs_values.get(name, MISSING)
            if value is MISSING and other is MISSING:
                continue
            if value != other:
                add(
                    "attribute",
                    versions.span(ours_name, a, _attribute_text(name, value)),
                    versions.span(theirs_name, b, _attribute_text(name, other)),
                )


def _attribute_text(name: str, value: Any) -> str:
    if value is MISSING:
        return f"{name} unset"
    return f"{name}={value if isinstance(value, str) else orjson.dumps(value).decode()}"
