"""Several annotators' layers of one document made into one layer: union, majority, intersection.

Works on native records (exporters/native.py:iter_records), one document at a time, so an
export that merges holds one document's layers in memory, never the project's.

Matching is exact: a span is its (start, end, label), and two layers "have the same span"
only when all three are equal. A boundary one character off is another span: anything looser
(overlap matching, as the agreement figures also report) would have to invent which of two
boundaries the merged layer holds.

With n layers, a span is kept when it is in at least `votes_needed` of them: union 1,
intersection n, majority more than half (n // 2 + 1; with two layers, both). Then:

- attributes of a kept span: for each attribute name, the value most of the layers holding
  the span give it (a layer without the attribute gives no vote); a tie goes to the value
  whose canonical JSON (sorted keys) sorts first, so the result never depends on layer order;
- relations: (head span, tail span, label) is one relation; it is kept when both of its
  spans are kept and it is itself in enough layers by the same rule;
- document labels: the same rule, label by label.

Majority and intersection keep only spans that share a layer pairwise (two spans each in more
than half of the layers are both in at least one), so every overlap rule a schema sets is kept
whenever the layers kept it; a union may hold two annotators' crossing spans (see `overlap_problem`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from itertools import islice
from operator import itemgetter
from typing import TYPE_CHECKING, Any

import orjson

from annotator.errors import ValidationError

if TYPE_CHECKING:
    from annotator.schema import Schema

RULES = ("union", "majority", "intersection")
# Not independent annotators' judgements: gold is already adjudicated (a merge would let the
# annotators outvote it), reference is the answer key, model holds machine pre-annotations.
# They count only when named in --annotators.
NAMED_ONLY = ("gold", "reference", "model")

SpanKey = tuple[int, int, str]  # (start, end, label): what "the same span" means
_SPAN_KEY = itemgetter("start", "end", "label")
RelationKey = tuple[SpanKey, SpanKey, str]  # (head, tail, label)


def default_name(rule: str) -> str:
    return f"merged-{rule}"


def votes_needed(rule: str, layers: int) -> int:
    """How many of `layers` layers must hold a span (relation, document label) for it to be kept."""
    if rule == "union":
        return 1
    if rule == "intersection":
        return layers
    if rule == "majority":
        return layers // 2 + 1
    raise ValidationError(f"unknown merge rule {rule!r} (use one of {', '.join(RULES)})")


def merged_inputs(
    records: Iterable[Mapping[str, Any]],
    statuses: Collection[str],
    annotators: Collection[str],
    merged_name: str,
) -> list[Mapping[str, Any]]:
    """The layers of one document a merge takes: finished ones, of the named annotators if any.

    A document nobody touched (annotator None) has no layer; the merged layer itself (an
    earlier merge, imported back) is never one of its own inputs.
    """
    taken = []
    for record in records:
        name = record["annotator"]
        if name is None or name == merged_name or record["status"] not in statuses:
            continue
        if (name in annotators) if annotators else (name not in NAMED_ONLY):
            taken.append(record)
    return taken


def merge_layers(records: Sequence[Mapping[str, Any]], rule: str, name: str) -> dict[str, Any]:
    """One native record (status done, annotator `name`) merging the layers of one document."""
    if not records:
        raise ValueError("merge_layers needs at least one layer")
    needed = votes_needed(rule, len(records))
    given: dict[SpanKey, list[Mapping[str, Any]]] = {}  # span -> the attributes each layer holding it gives
    relation_votes: Counter[RelationKey] = Counter()
    label_votes: Counter[str] = Counter()
    for record in records:
        layer_spans = record["spans"]
        keys: list[SpanKey] = list(map(_SPAN_KEY, layer_spans))
        for key, span in zip(keys, layer_spans, strict=True):
            if (attributes := given.get(key)) is None:
                given[key] = [span["attributes"]]
            else:
                attributes.append(span["attributes"])
        if record["relations"]:
            key_of = dict(zip((span["id"] for span in layer_spans), keys, strict=True))
            relation_votes.update({(key_of[r["head"]], key_of[r["tail"]], r["label"]) for r in record["relations"]})
        if labels := record.get("document_labels"):
            label_votes.update(set(labels))
    first = records[0]
    text: str = first["text"]
    kept = sorted(key for key, attributes in given.items() if len(attributes) >= needed)
    span_ids = _numbered("s", len(kept))
    spans = [
        {
            "id": span_id,
            "start": key[0],
            "end": key[1],
            "label": key[2],
            "text": text[key[0] : key[1]],
            "attributes": attributes[0] if len(attributes := given[key]) == 1 else _winning_values(attributes),
        }
        for span_id, key in zip(islice(span_ids, 1, None), kept, strict=False)
    ]
    links: list[tuple[int, int, str]] = []
    if relation_votes:
        number_of = {key: number for number, key in enumerate(kept, start=1)}
        links = sorted(
            (number_of[head], number_of[tail], label)
            for (head, tail, label), votes in relation_votes.items()
            if votes >= needed and head in number_of and tail in number_of
        )
    relations = [
        {"id": relation_id, "label": label, "head": span_ids[head], "tail": span_ids[tail]}
        for relation_id, (head, tail, label) in zip(islice(_numbered("r", len(links)), 1, None), links, strict=False)
    ]
    merged: dict[str, Any] = {"id": first["id"], "text": text, "meta": first["meta"], "spans": spans}
    merged["relations"] = relations
    if "document_labels" in first:
        merged["document_labels"] = sorted(label for label, votes in label_votes.items() if votes >= needed)
    merged["annotator"] = name
    merged["status"] = "done"
    merged["schema"] = first["schema"]
    return merged


_PLAIN = (str, int, bool, type(None))  # values compared as they are: equal and of one type is the same JSON


def _winning_values(given: list[Mapping[str, Any]]) -> Mapping[str, Any]:
    """Per attribute name, the value most of `given` hold; a tie goes to the first canonical JSON."""
    first = given[0]  # its names are sorted already, as in every native record
    if given.count(first) == len(given) and all(type(value) is str for value in first.values()):
        return first  # what nearly every merged span is: the layers agree (strings equal only strings)
    chosen: dict[str, Any] = {}
    for attribute in sorted({name for attributes in given for name in attributes}):
        values = [attributes[attribute] for attributes in given if attribute in attributes]
        one = values[0]
        if type(one) in _PLAIN and all(value == one and type(value) is type(one) for value in values):
            chosen[attribute] = one  # what nearly every merged span is: the layers agree
            continue
        votes = Counter(orjson.dumps(value, option=orjson.OPT_SORT_KEYS) for value in values)
        winner, _ = min(votes.items(), key=lambda item: (-item[1], item[0]))
        chosen[attribute] = orjson.loads(winner)
    return chosen


def overlap_problem(schema: Schema, record: Mapping[str, Any]) -> str | None:
    """Why a merged record's spans could not stand together in one layer under `schema`, if so."""
    from annotator.validation import check_overlaps  # the schema's modules: not for `annotator --help`

    try:
        check_overlaps(schema, [(s["start"], s["end"], s["label"]) for s in record["spans"]])
    except ValidationError as problem:
        return str(problem)
    return None


_NUMBERED: dict[str, list[str]] = {"s": ["s0"], "r": ["r0"]}


def _numbered(prefix: str, count: int) -> list[str]:
    """["s0", "s1", ..., "s<count>"]: span (or relation) ids, made once per process."""
    ids = _NUMBERED[prefix]
    if len(ids) <= count:
        ids.extend(f"{prefix}{n}" for n in range(len(ids), count + 1))
    return ids
