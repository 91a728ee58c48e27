"""`annotator assign`: give every document K annotators, balanced, stable when documents are added.

The plan is greedy over the documents in import order. A document short of K (of the annotators
named) takes, one at a time, the annotator with the fewest assignments so far; among equals, the
one who shares the fewest documents with those it already has (the pairs that agreement compares
stay balanced too); among those, the least of a hash of (seed, the document's external id, the
name): deterministic, and not always the first name of the list. Existing assignments are never
moved or removed, and count in the loads and pairs: running it again after an import assigns
only the new documents (and any left short of K), and running it twice changes nothing.

On a fresh run the loads differ by at most one: every pick takes a least-loaded annotator.
The whole run is one transaction (on PostgreSQL under a lock of its own, so two leads assigning
at once queue), its rows written by one executemany of the Core insert's statement.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, insert, select
from sqlalchemy.exc import DBAPIError

from annotator.db import core_tables
from annotator.db.engine import writer
from annotator.errors import NotFoundError, ProjectError, ValidationError
from annotator.project import Project, check_annotator_name
from annotator.team.identity import INSUFFICIENT_PRIVILEGE, refusal, sqlstate

# pg_advisory_xact_lock key of assignment runs (the migrations' is annotator.db.migrate's).
ASSIGN_LOCK_KEY = 0x616E6E61_73736967  # "annassig"
QUERY_HELP = "id:GLOB (the document's id; * and ? as in file names), meta.KEY=VALUE, file:PATH (ids, one a line)"
SHOWN_IDS = 3  # unknown ids of a file: how many the error names
MASK_64 = (1 << 64) - 1

documents_table = core_tables.documents
assignments = core_tables.assignments
annotators = core_tables.annotators


@dataclass(frozen=True)
class AssignmentReport:
    documents: int  # the documents selected
    already_full: int  # of those, the ones that had K of the annotators before
    added: Mapping[str, int]  # per annotator (in the order named): assigned by this run
    totals: Mapping[str, int]  # per annotator: assigned in the project after this run
    dry_run: bool
    # per pair of the annotators (in the order named): the documents both are assigned after this run,
    # what agreement between the two can be measured on
    shared: Mapping[tuple[str, str], int] = field(default_factory=dict)

    @property
    def added_total(self) -> int:
        return sum(self.added.values())


@dataclass(frozen=True)
class DocumentQuery:
    """Which documents to assign; every condition must hold (no condition: every document)."""

    globs: tuple[str, ...] = ()
    meta: tuple[tuple[tuple[str, ...], str], ...] = ()  # (key path, value as text)
    ids: frozenset[str] | None = None
    files: tuple[str, ...] = field(default=(), compare=False)  # the files the ids came from, for messages

    @property
    def needs_meta(self) -> bool:
        return bool(self.meta)

    def selects(self, external_id: str, meta: Any) -> bool:
        if self.ids is not None and external_id not in self.ids:
            return False
        if not all(fnmatch.fnmatchcase(external_id, glob) for glob in self.globs):
            return False
        return all(_meta_text(meta, path) == value for path, value in self.meta)


def parse_document_query(terms: Sequence[str]) -> DocumentQuery:
    """``--documents`` terms (each of QUERY_HELP's forms) as one query; a malformed term is an error."""
    globs: list[str] = []
    meta: list[tuple[tuple[str, ...], str]] = []
    ids: set[str] | None = None
    files: list[str] = []
    for term in terms:
        kind, sep, rest = term.partition(":")
        if sep and kind == "id" and rest:
            globs.append(rest)
        elif sep and kind == "file" and rest:
            listed = _read_ids(Path(rest))
            ids = listed if ids is None else ids & listed
            files.append(rest)
        elif term.startswith("meta.") and "=" in term:
            key, _eq, value = term[len("meta.") :].partition("=")
            path = tuple(key.split("."))
            if not all(path):
                raise ValidationError(f"--documents {term!r}: the meta key is empty; write meta.KEY=VALUE")
            meta.append((path, value))
        else:
            raise ValidationError(f"--documents {term!r} is not a query: write {QUERY_HELP}")
    return DocumentQuery(tuple(globs), tuple(meta), None if ids is None else frozenset(ids), tuple(files))


def plan_assignments(
    documents: Sequence[tuple[int, str]],
    names: Sequence[str],
    per_document: int,
    seed: int = 0,
    existing: Iterable[tuple[int, str]] = (),
) -> list[tuple[int, str]]:
    """The (document id, name) pairs to add so that each of ``documents`` (id, external id; in
    import order) has ``per_document`` of ``names``; ``existing`` pairs (of any document of the
    project) stay, and count in the loads and the pairs."""
    check_plan(names, per_document)
    load = dict.fromkeys(names, 0)
    together: dict[str, dict[str, int]] = {name: dict.fromkeys(names, 0) for name in names}
    held: dict[int, list[str]] = defaultdict(list)
    for document_id, name in existing:
        if name in load and name not in held[document_id]:
            held[document_id].append(name)
            load[name] += 1
    for names_of_document in held.values():
        for first, second in combinations(names_of_document, 2):
            together[first][second] += 1
            together[second][first] += 1
    name_keys = {name: _key(name) for name in names}
    planned: list[tuple[int, str]] = []
    for document_id, external_id in documents:
        picked = list(held.get(document_id, ()))
        if len(picked) >= per_document:
            continue
        free = [name for name in names if name not in picked]
        document_key = _key(f"{seed}\x00{external_id}")
        while len(picked) < per_document:
            best = _pick(free, picked, load, together, document_key, name_keys)
            free.remove(best)
            for other in picked:
                together[best][other] += 1
                together[other][best] += 1
            picked.append(best)
            load[best] += 1
            planned.append((document_id, best))
    return planned


def _pick(
    free: list[str],
    picked: list[str],
    load: dict[str, int],
    together: dict[str, dict[str, int]],
    document_key: int,
    name_keys: dict[str, int],
) -> str:
    """The least of (load, documents shared with ``picked``, draw) among ``free``; each figure is
    worked out only for the names still tied on the ones before it."""
    lowest = min(load[name] for name in free)
    tied = [name for name in free if load[name] == lowest]
    if len(tied) > 1 and picked:
        shared = {name: sum(together[name][other] for other in picked) for name in tied}
        fewest = min(shared.values())
        tied = [name for name in tied if shared[name] == fewest]
    if len(tied) == 1:
        return tied[0]
    return min(tied, key=lambda name: _mix(document_key ^ name_keys[name]))


def check_plan(names: Sequence[str], per_document: int) -> None:
    if not names:
        raise ValidationError("--annotators names nobody: give the names, comma-separated (e.g. alice,bob,carol)")
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise ValidationError(f"--annotators names {', '.join(map(repr, twice))} twice; name each annotator once")
    if per_document < 1:
        raise ValidationError(f"--per-document must be at least 1, not {per_document}")
    if per_document > len(names):
        raise ValidationError(
            f"--per-document {per_document} is more than the {len(names)} annotator(s) named: "
            "a document cannot go twice to one annotator; name more annotators or lower K"
        )


def assign_documents(
    project: Project,
    names: Sequence[str],
    per_document: int,
    query: DocumentQuery | None = None,
    seed: int = 0,
    dry_run: bool = False,
) -> AssignmentReport:
    """Assign the project's documents (those of ``query``) to ``per_document`` of ``names`` each,
    as the module says; with ``dry_run`` the same report, nothing written."""
    check_plan(names, per_document)
    team = project.team
    if team is not None and not team.sees_everything:
        raise ProjectError(_admins_only(f"role {team.login!r} is a team {team.kind}"))
    try:
        with writer(project.engine).begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({ASSIGN_LOCK_KEY})")
            ids = _annotator_ids(connection, project, names, create=not dry_run)
            chosen = _selected_documents(connection, project.id, query)
            existing = _existing(connection, project.id, ids)
            planned = plan_assignments(chosen, names, per_document, seed, existing)
            if planned and not dry_run:
                _insert_assignments(connection, [(doc, ids[name]) for doc, name in planned])
    except DBAPIError as error:
        if sqlstate(error) == INSUFFICIENT_PRIVILEGE:
            raise ProjectError(_admins_only(refusal(error))) from error
        raise
    added = dict.fromkeys(names, 0)
    for _doc, name in planned:
        added[name] += 1
    before = dict.fromkeys(names, 0)
    for _doc, name in existing:
        before[name] += 1
    short = {doc for doc, _name in planned}
    order = {name: index for index, name in enumerate(names)}
    shared: Counter[tuple[str, str]] = Counter()
    for who in by_document([*existing, *planned]).values():
        shared.update(combinations(sorted(who, key=order.__getitem__), 2))
    return AssignmentReport(
        documents=len(chosen),
        already_full=len(chosen) - len(short),
        added=added,
        totals={name: before[name] + added[name] for name in names},
        dry_run=dry_run,
        shared={pair: shared[pair] for pair in combinations(names, 2)},
    )


def by_document(pairs: Iterable[tuple[int, str]]) -> dict[int, list[str]]:
    """(document, name) pairs as each document's names."""
    found: dict[int, list[str]] = defaultdict(list)
    for document_id, name in pairs:
        found[document_id].append(name)
    return found


def _insert_assignments(connection: Connection, rows: list[tuple[int, int]]) -> None:
    """(document id, annotator id) rows in one executemany. SQLite: the Core insert's statement
    straight to the driver with plain tuples (SQLAlchemy's per-row parameter processing took 4x
    the driver's time for 200,000 rows), as suggest/store.py and the importer do; PostgreSQL:
    Core's executemany (insertmanyvalues batches on psycopg)."""
    columns = ["document_id", "annotator_id"]
    if connection.dialect.name != "sqlite":
        connection.execute(insert(assignments), [dict(zip(columns, row, strict=True)) for row in rows])
        return
    compiled = insert(assignments).compile(dialect=connection.dialect, column_keys=columns)
    assert list(compiled.positiontup or ()) == columns, compiled.positiontup
    connection.exec_driver_sql(str(compiled), rows)


def _admins_only(why: str) -> str:
    return (
        f"{why}: only the team's admins write assignments; run annotator assign with an admin's login "
        "(annotator team add NAME --role admin makes one)"
    )


def _annotator_ids(connection: Connection, project: Project, names: Sequence[str], *, create: bool) -> dict[str, int]:
    """The layers of ``names``: on a team database they must be members; elsewhere new names are
    registered as layers (in this transaction; a dry run gives them no id)."""
    for name in names:
        check_annotator_name(name)
    found = dict(
        connection.execute(select(annotators.c.name, annotators.c.id).where(annotators.c.name.in_(names))).all()
    )
    if project.team is not None:
        members = set(
            connection.scalars(
                select(annotators.c.name)
                .join(core_tables.team_members, core_tables.team_members.c.annotator_id == annotators.c.id)
                .where(annotators.c.name.in_(names))
            )
        )
        strangers = [name for name in names if name not in members]
        if strangers:
            raise NotFoundError(
                f"{', '.join(map(repr, strangers))} not a member of this team: annotator team add NAME "
                "--role annotator adds one (annotator team list shows who is)"
            )
        return found
    missing = [name for name in names if name not in found]
    if missing and create:
        connection.execute(insert(annotators), [{"name": name} for name in missing])
        found.update(
            connection.execute(select(annotators.c.name, annotators.c.id).where(annotators.c.name.in_(missing))).all()
        )
    return found


def _selected_documents(connection: Connection, project_id: int, query: DocumentQuery | None) -> list[tuple[int, str]]:
    """(id, external id) of the documents to assign, in import order."""
    d = documents_table.c
    columns = [d.id, d.external_id] + ([d.meta] if query is not None and query.needs_meta else [])
    rows = connection.execute(select(*columns).where(d.project_id == project_id).order_by(d.id))
    if query is None:
        return [(row[0], row[1]) for row in rows]
    chosen: list[tuple[int, str]] = []
    seen: set[str] = set()
    for row in rows:
        seen.add(row[1])
        if query.selects(row[1], row[2] if query.needs_meta else None):
            chosen.append((row[0], row[1]))
    if query.ids is not None:
        unknown = sorted(query.ids - seen)
        if unknown:
            shown = ", ".join(map(repr, unknown[:SHOWN_IDS])) + (", ..." if len(unknown) > SHOWN_IDS else "")
            raise NotFoundError(
                f"--documents file:{', '.join(query.files)} names {len(unknown)} id(s) the project does not have: "
                f"{shown}"
            )
    if not chosen:
        raise NotFoundError("--documents selects no document of the project: nothing to assign")
    return chosen


def _existing(connection: Connection, project_id: int, ids: Mapping[str, int]) -> list[tuple[int, str]]:
    """The project's assignments to the annotators named, as (document id, name)."""
    if not ids:
        return []
    names = {annotator_id: name for name, annotator_id in ids.items()}
    a, d = assignments.c, documents_table.c
    rows = connection.execute(
        select(a.document_id, a.annotator_id)
        .join(documents_table, d.id == a.document_id)
        .where(d.project_id == project_id, a.annotator_id.in_(list(names)))
        .order_by(a.document_id)
    )
    return [(document_id, names[annotator_id]) for document_id, annotator_id in rows]


def _key(text: str) -> int:
    """64 bits of a hash of ``text`` (the same in every run and on every machine, unlike hash())."""
    digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def _mix(value: int) -> int:
    """splitmix64's finalizer: a bijection whose every output bit depends on every input bit, so the
    draw of (seed and document, name) = mix(key of one XOR key of the other) orders the names of
    each document afresh (hashing each pair anew cost most of a 100,000-document plan)."""
    value = (value ^ (value >> 30)) * 0xBF58476D1CE4E5B9 & MASK_64
    value = (value ^ (value >> 27)) * 0x94D049BB133111EB & MASK_64
    return value ^ (value >> 31)


def _meta_text(meta: Any, path: tuple[str, ...]) -> str | None:
    """A meta field as text, for comparing with what was typed: a string as is, else its JSON."""
    value = meta
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _read_ids(path: Path) -> set[str]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ValidationError(f"--documents file:{path}: cannot read it ({error})") from error
    ids = {line.strip() for line in text.splitlines() if line.strip()}
    if not ids:
        raise ValidationError(f"--documents file:{path} names no document id (one id a line)")
    return ids
