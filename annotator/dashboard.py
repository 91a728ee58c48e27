"""The dashboard: per annotator, documents done, spans per label, time per document, agreement with gold.

`annotator stats --json` prints dashboard(project); the window's Dashboard panel shows it.
Its form, stable (the README's "stats" paragraph has it too):

    {"project": "example", "schema": {"name": "news", "version": 1, "sha256": "..."},
     "documents": 120, "labels": ["ACTOR", "CLAIM", "DATE"],
     "spans_by_label": {"ACTOR": 410, ...}, "relations_by_label": {"SAID_BY": 30, ...},
     "gold": {"annotator": "gold", "present": true, "status": "done"},
     "annotators": [
       {"name": "alice",
        "documents": {"todo": 20, "in_progress": 3, "done": 95, "skipped": 2},
        "spans": {"ACTOR": 200, "CLAIM": 40, "DATE": 31}, "spans_total": 271,
        "time": {"median_seconds": 41.5, "documents_timed": 98, "total_seconds": 4321.0},
        "against_gold": {"documents": 40, "exact": COUNTS, "overlap": COUNTS}}, ...],
     "assignments": {"alice": {"assigned": 50, "todo": 27, "in_progress": 2, "done": 20, "skipped": 1}, ...}}

    COUNTS = {"gold": 120, "annotator": 118, "matched": 110,
              "precision": 0.93, "recall": 0.92, "f1": 0.92}      (figures null where undefined: 0/0)

Annotators are every name with a status row or a span in the project, sorted; `documents`
counts a document without a status row as todo. `spans` counts every span of the layers,
whatever their status, per label of the schema (and any label only the database still has).
`time` is over the documents whose recorded reading time (document_status.seconds_spent) is
above 0; median_seconds is null when there is none. `against_gold` is null for the gold layer
itself and when the project has no gold layer (then "gold" says present: false); otherwise it
compares the two layers on the documents both finished (status done): exact and overlap span
matching of annotator/agreement/matching.py, gold as the reference (precision: matched /
the annotator's spans; recall: matched / gold's).
`assignments` is there only when the project assigns work (annotator assign): per annotator
with assignments, how many, and the status of those documents in their layer.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from annotator.db.engine import read_snapshot
from annotator.db.tables import AnnotatorRow, DocumentRow, DocumentStatusRow
from annotator.errors import AnnotatorError
from annotator.models import STATUSES, ProjectStats
from annotator.project import Project
from annotator.stats import read_project_stats

GOLD = "gold"
FINISHED = "done"  # the status a layer needs to be compared with gold


@dataclass(frozen=True)
class Dashboard:
    stats: ProjectStats  # the project-wide figures `annotator stats` has always printed
    report: dict[str, Any]  # the dashboard, as `stats --json` prints it


def dashboard(project: Project, gold: str = GOLD) -> Dashboard:
    """The dashboard of the project (the report's form: the module's doc), read in one snapshot."""
    labels = project.schema.label_names
    with read_snapshot(project.engine) as connection:
        stats = read_project_stats(connection, project.id)
        names = sorted(set(stats.status_by_annotator) | set(stats.spans_by_annotator))
        times = _reading_times(connection, project.id)
        against_gold = _against_gold(connection, project.id, gold, names, labels) if gold in names else {}
    annotators = []
    for name in names:
        counts = stats.status_by_annotator.get(name, {})
        spans = stats.spans_by_annotator_label.get(name, {})
        by_label = {label: spans.get(label, 0) for label in labels}
        by_label.update(sorted((label, count) for label, count in spans.items() if label not in by_label))
        seconds = times.get(name, [])
        annotators.append(
            {
                "name": name,
                "documents": {
                    status: counts.get(status, stats.documents if status == "todo" else 0) for status in STATUSES
                },
                "spans": by_label,
                "spans_total": sum(by_label.values()),
                "time": {
                    "median_seconds": statistics.median(seconds) if seconds else None,
                    "documents_timed": len(seconds),
                    "total_seconds": float(sum(seconds)),
                },
                "against_gold": against_gold.get(name),
            }
        )
    return Dashboard(
        stats,
        {
            "project": project.config.name,
            "schema": {"name": project.schema.name, "version": project.schema.version, "sha256": project.schema.sha256},
            "documents": stats.documents,
            "labels": list(labels),
            "spans_by_label": dict(stats.spans_by_label),
            "relations_by_label": dict(stats.relations_by_label),
            "gold": {"annotator": gold, "present": gold in names, "status": FINISHED},
            "annotators": annotators,
        }
        # Where the project assigns work: each annotator's queue and how far they are through it.
        | ({"assignments": dict(stats.assignments_by_annotator)} if stats.assignments_by_annotator else {}),
    )


def _reading_times(connection: Connection, project_id: int) -> dict[str, list[float]]:
    """Each annotator's recorded reading times, one per document timed (the median needs them all)."""
    found: dict[str, list[float]] = defaultdict(list)
    names = dict(connection.execute(select(AnnotatorRow.id, AnnotatorRow.name)).all())
    in_project = select(DocumentRow.id).where(DocumentRow.project_id == project_id)
    for annotator_id, seconds in connection.execute(
        select(DocumentStatusRow.annotator_id, DocumentStatusRow.seconds_spent).where(
            DocumentStatusRow.document_id.in_(in_project), DocumentStatusRow.seconds_spent > 0
        )
    ).all():
        found[names[annotator_id]].append(float(seconds))
    return found


def _against_gold(
    connection: Connection, project_id: int, gold: str, names: Sequence[str], labels: Sequence[str]
) -> dict[str, dict[str, Any]]:
    """Span matching of each annotator's finished layers against gold's, on the documents both finished.

    The agreement package's reads and matching (imported here: they bring numpy and the token
    code, which a project without gold never needs). Gold is read once: every layer of a
    document both gold and someone finished comes in one pass.
    """
    try:
        from annotator.agreement import coefficients
        from annotator.agreement.figures import as_number
        from annotator.agreement.matching import exact_matches, overlap_matches
        from annotator.agreement.read import read_documents
    except ImportError as missing:
        if missing.name != "numpy":
            raise
        raise AnnotatorError(
            f"agreement with the {gold!r} layer needs numpy, which the spacy extra brings: pip install '.[spacy]'"
        ) from None

    ids = dict(connection.execute(select(AnnotatorRow.name, AnnotatorRow.id).where(AnnotatorRow.name.in_(names))).all())
    others = [name for name in names if name != gold]
    finished: dict[int, set[int]] = defaultdict(set)  # document -> annotator ids that finished it
    for document_id, annotator_id in connection.execute(
        select(DocumentStatusRow.document_id, DocumentStatusRow.annotator_id)
        .join(DocumentRow, DocumentRow.id == DocumentStatusRow.document_id)
        .where(DocumentRow.project_id == project_id, DocumentStatusRow.status == FINISHED)
    ):
        finished[document_id].add(annotator_id)
    documents = sorted(doc for doc, who in finished.items() if ids[gold] in who and len(who) > 1)
    order = [ids[gold], *(ids[name] for name in others)]
    counts = {name: {"documents": 0, "gold": 0, "annotator": 0, "exact": 0, "overlap": 0} for name in others}
    for document_id, document in zip(
        documents, read_documents(connection, documents, order, labels, spans_only=True), strict=True
    ):
        reference = document.layers[0].spans
        for name, layer in zip(others, document.layers[1:], strict=True):
            if ids[name] not in finished[document_id]:
                continue
            exact = exact_matches(reference, layer.spans)
            tally = counts[name]
            tally["documents"] += 1
            tally["gold"] += len(reference)
            tally["annotator"] += len(layer.spans)
            tally["exact"] += len(exact)
            tally["overlap"] += len(overlap_matches(reference, layer.spans, exact))

    def figures(tally: dict[str, int], matched: int) -> dict[str, Any]:
        # agreement's own formulas, so `annotator agreement --annotators gold,NAME` gives the same numbers
        return {
            "gold": tally["gold"],
            "annotator": tally["annotator"],
            "matched": matched,
            "precision": as_number(coefficients.precision(matched, tally["annotator"])),
            "recall": as_number(coefficients.recall(matched, tally["gold"])),
            "f1": as_number(coefficients.f1(matched, tally["gold"], tally["annotator"])),
        }

    return {
        name: {
            "documents": tally["documents"],
            "exact": figures(tally, tally["exact"]),
            "overlap": figures(tally, tally["overlap"]),
        }
        for name, tally in counts.items()
    }


def annotator_names(project: Project) -> list[str]:
    """Every annotator with a layer status in the project, sorted: whom the window offers to compare
    (agreement takes finished layers, which always have one; document_status is one row per layer)."""
    with read_snapshot(project.engine) as connection:
        in_project = select(DocumentRow.id).where(DocumentRow.project_id == project.id)
        with_status = select(DocumentStatusRow.annotator_id).where(DocumentStatusRow.document_id.in_(in_project))
        return list(
            connection.scalars(
                select(AnnotatorRow.name).where(AnnotatorRow.id.in_(with_status)).order_by(AnnotatorRow.name)
            )
        )
