"""`--include-suggestions`: the suggestions of each exported document, in its native records.

Each record gets `suggestions` (start, end, label, text, score, source, attributes: one per source
that proposed the span, as stored) and `suggested_relations` (label, head and tail as [start, end,
label], score, source), in a stable order. A suggestion the record's layer rejected (a row of
review_rejections for that layer) is never written, nor a suggested relation with such an end;
a document nobody annotated gets them all. Those the layer accepted are written too: they are
what the source proposed, and a layer's spans say which were taken. Read like the layers' rows:
one query per table through a cursor, merged a chunk of documents at a time.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import orjson

from annotator.exporters.base import LeftOut
from annotator.storable import storable_problem

if TYPE_CHECKING:
    from annotator.exporters.native_rows import ProjectTables

Key = tuple[int, int, str]  # start, end, label
_NOTHING: frozenset[Key] = frozenset()


class ChunkSuggestions:
    """The suggestions and rejections of one chunk of documents (up to last_document)."""

    def __init__(self, tables: ProjectTables, last_document: int, skip: Callable[[LeftOut], None]) -> None:
        assert tables.suggestions is not None  # made by ProjectTables(..., suggestions=True)
        self.skip = skip
        self.spans: defaultdict[int, list[tuple[Any, ...]]] = defaultdict(list)
        for document_id, *row in tables.suggestions.until(last_document):
            self.spans[document_id].append(tuple(row))
        self.relations: defaultdict[int, list[tuple[Any, ...]]] = defaultdict(list)
        for document_id, *row in tables.suggested_relations.until(last_document):
            self.relations[document_id].append(tuple(row))
        self.rejected: defaultdict[tuple[int, int], set[Key]] = defaultdict(set)
        for document_id, annotator_id, start, end, label in tables.rejections.until(last_document):
            self.rejected[document_id, annotator_id].add((start, end, label))

    def add_to(self, record: dict[str, Any], document_id: int, annotator_id: int | None) -> None:
        rejected = self.rejected.get((document_id, annotator_id), _NOTHING) if annotator_id is not None else _NOTHING
        text = record["text"]
        spans = []
        for source, start, end, label, score, attributes in sorted(
            self.spans.get(document_id, ()), key=lambda row: (row[1], row[2], row[3], row[0])
        ):
            if (start, end, label) in rejected:
                continue
            values = self._attributes(record, source, start, end, label, attributes)
            if values is None:
                continue
            spans.append(
                {
                    "start": start,
                    "end": end,
                    "label": label,
                    "text": text[start:end],
                    "score": score,
                    "source": source,
                    "attributes": values,
                }
            )
        relations = [
            {"label": label, "head": [hs, he, hl], "tail": [ts, te, tl], "score": score, "source": source}
            for source, label, hs, he, hl, ts, te, tl, score in sorted(
                self.relations.get(document_id, ()), key=lambda row: (row[2:8], row[1], row[0])
            )
            if (hs, he, hl) not in rejected and (ts, te, tl) not in rejected
        ]
        record["suggestions"] = spans
        record["suggested_relations"] = relations

    def _attributes(
        self, record: dict[str, Any], source: str, start: int, end: int, label: str, stored: str | None
    ) -> dict[str, Any] | None:
        """A suggestion's attributes as exported; None (and a LeftOut) for a value no export can write."""
        if not stored or stored == "{}":
            return {}
        values: Any = None
        try:
            values = orjson.loads(stored)
        except orjson.JSONDecodeError as error:
            problem: str | None = f"its attributes are not JSON that can be exported ({error})"
        else:
            problem = storable_problem(values, "attributes")
        if problem is None and isinstance(values, dict):
            return values
        self.skip(
            LeftOut(
                record["id"],
                record["annotator"],
                f"suggestion {label} [{start}, {end}) of {source!r}: {problem or 'attributes not a mapping'} "
                "(that suggestion only)",
            )
        )
        return None


def common_suggestions(records: Sequence[Mapping[str, Any]]) -> tuple[list[Any], list[Any]]:
    """The suggestions (and suggested relations) of a merged layer: those none of its layers rejected."""
    spans, relations = list(records[0]["suggestions"]), list(records[0]["suggested_relations"])
    for record in records[1:]:
        kept = {(s["source"], s["start"], s["end"], s["label"]) for s in record["suggestions"]}
        spans = [s for s in spans if (s["source"], s["start"], s["end"], s["label"]) in kept]
        linked = {(r["source"], r["label"], *r["head"], *r["tail"]) for r in record["suggested_relations"]}
        relations = [r for r in relations if (r["source"], r["label"], *r["head"], *r["tail"]) in linked]
    return spans, relations
