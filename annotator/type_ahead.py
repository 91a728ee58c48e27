"""Finding the next document whose name starts with what was typed (the document list's type-ahead).

The rule is Qt's type-ahead over the list's Document column: the typed text is a prefix of the
document's external id, ignoring case; the search starts at a given document, goes on in list
(import) order and wraps round to the top. A project may hold 100,000 documents, so nothing
here reads every row:

1. A short walk: the next ``WALK`` documents from the start, in list order (a seek in
   ix_documents_project), and, if it reaches the end of the list, the first ``WALK`` from
   the top. Typing the start of names that many documents share (``bench-0``) finds the
   next one here.
2. Otherwise the documents whose external id falls in the index ranges of the typed text, one
   range per way of casing its letters (the unique index on project and external id; no row
   is read, only index entries that match), giving both the first match after the start and
   the first overall (the wrap) in one statement.
"""

from __future__ import annotations

from functools import cache
from itertools import product

from sqlalchemy import Select, and_, bindparam, case, func, select, union_all
from sqlalchemy.orm import Session

from annotator.db.tables import DocumentRow
from annotator.project import Project
from annotator.queue_filter import assigned_to, queued

WALK = 64
# Letters whose case gives the index ranges (2 ** CASED_LETTERS ranges at most); a longer text's
# other letters are compared on the index entries found.
CASED_LETTERS = 6
_LAST_CHAR = 0x10FFFF
_SURROGATES = range(0xD800, 0xE000)
_WALK = (
    select(DocumentRow.id, DocumentRow.external_id)
    .where(DocumentRow.project_id == bindparam("project_id"), DocumentRow.id >= bindparam("from_id"))
    .order_by(DocumentRow.id)
    .limit(WALK)
)
_QUEUED, _queued_id = queued(select(DocumentRow.id, DocumentRow.external_id), bindparam("queue"))
# The same walk over the documents assigned to :queue, from a range of their index entries.
_WALK_QUEUED = (
    _QUEUED.where(
        DocumentRow.project_id == bindparam("project_id"),
        _queued_id >= bindparam("from_id"),
        DocumentRow.id >= bindparam("from_id"),  # both sides of the join seek
    )
    .order_by(_queued_id)
    .limit(WALK)
)


def next_document_with_prefix(
    session: Session, project: Project, text: str, from_id: int | None, queue: int | None = None
) -> int | None:
    """The id of the first document at or after ``from_id`` in list order whose external id
    starts with ``text`` up to case, else the first such document of the list; None if none.
    With ``queue``, the list is the documents assigned to it (annotator/queue_filter.py)."""
    if not text:
        return None
    if from_id is not None:
        found, at_end = _walk(session, project, text, from_id, None, queue)
        if found is None and at_end:  # a walk that reached the end of the list goes on from the top
            found, _at_end = _walk(session, project, text, 0, from_id, queue)
        if found is not None:
            return found
    heads = sorted(_spellings(_cased_head(text)))
    aboves = [_next_string(head) for head in heads]
    tail = len(text) > len(heads[0])
    statement = _in_ranges(len(heads), tuple(above is not None for above in aboves), tail, queue is not None)
    values: dict[str, object] = {
        "project_id": project.id,
        "from_id": from_id or 0,
        "text": text,
        "length": len(text),
        "queue": queue,
    }
    for number, (head, above) in enumerate(zip(heads, aboves, strict=True)):
        values.update({f"head_{number}": head, f"head_length_{number}": len(head), f"above_{number}": above})
    first_after, first = session.execute(statement, values).one()
    chosen = first_after if first_after is not None else first
    return None if chosen is None else int(chosen)


def _walk(
    session: Session, project: Project, text: str, from_id: int, stop_id: int | None, queue: int | None
) -> tuple[int | None, bool]:
    """The first of the next WALK documents from ``from_id`` (before ``stop_id``) whose name
    starts with ``text`` up to case, if any, and whether the walk reached the end of the list.
    Rows are read as they are looked at: a match on the first reads one."""
    if queue is None:
        result = session.execute(_WALK, {"project_id": project.id, "from_id": from_id})
    else:
        result = session.execute(_WALK_QUEUED, {"project_id": project.id, "from_id": from_id, "queue": queue})
    try:
        walked = 0
        for doc_id, external_id in result:
            if stop_id is not None and doc_id >= stop_id:
                return None, False
            if same_up_to_case(external_id[: len(text)], text):
                return int(doc_id), False
            walked += 1
        return None, walked < WALK
    finally:
        result.close()


def same_up_to_case(name: str, text: str) -> bool:
    """Each character the same, or the other's upper or lower case."""
    return len(name) == len(text) and all(a == b or a in _cases(b) for a, b in zip(name, text, strict=True))


def _cases(char: str) -> set[str]:
    lower, upper = char.lower(), char.upper()
    return {char, lower, upper} if len(lower) == len(upper) == 1 else {char}


@cache
def _in_ranges(count: int, bounded: tuple[bool, ...], tail: bool, queued: bool) -> Select[int | None, int | None]:
    """The first id at or after :from_id, and the first overall, among the documents whose
    external id starts with one of :head_0, :head_1, ... (an index range each, in codepoint
    order; the exact comparison after it keeps only true prefixes whatever the collation) and,
    if ``tail``, with :text up to case; if ``queued``, assigned to :queue. Built once per shape:
    a statement of 64 ranges costs SQLAlchemy far more to build than the database to run."""
    external_id = DocumentRow.external_id
    ranges = []
    for number in range(count):
        head = bindparam(f"head_{number}", type_=external_id.type)
        conditions = [
            DocumentRow.project_id == bindparam("project_id"),
            external_id >= head,
            func.substr(external_id, 1, bindparam(f"head_length_{number}")) == head,
        ]
        if bounded[number]:
            conditions.append(external_id < bindparam(f"above_{number}", type_=external_id.type))
        if tail:  # the database's lower(): SQLite's folds ASCII letters only
            conditions.append(
                func.lower(func.substr(external_id, 1, bindparam("length"))) == func.lower(bindparam("text"))
            )
        ranges.append(select(DocumentRow.id).where(and_(*conditions)))
    found = union_all(*ranges).subquery()
    after = case((found.c.id >= bindparam("from_id"), found.c.id))
    first = select(func.min(after), func.min(found.c.id)).select_from(found)
    # The queue is checked once per name found, not inside each range (PostgreSQL hashed the
    # queue's assignments for every one of them).
    return first.where(assigned_to(bindparam("queue"), found.c.id)) if queued else first


def _spellings(text: str) -> set[str]:
    """Every way of writing ``text`` with each letter in upper or lower case (same_up_to_case)."""
    return {"".join(chars) for chars in product(*map(_cases, text))}


def _cased_head(text: str) -> str:
    """The start of ``text`` holding at most CASED_LETTERS letters that have two cases."""
    cased = 0
    for index, char in enumerate(text):
        if char.lower() != char.upper():
            cased += 1
            if cased > CASED_LETTERS:
                return text[:index]
    return text


def _next_string(head: str) -> str | None:
    """The least string above every string starting with ``head`` (codepoint order), if any."""
    while head:
        code = ord(head[-1]) + 1
        if code in _SURROGATES:
            code = _SURROGATES.stop
        if code <= _LAST_CHAR:
            return head[:-1] + chr(code)
        head = head[:-1]
    return None
