"""The document list a few pages at a time: a project may hold 100,000 documents, a window shows a few dozen.

The list's length and its progress come from one count per status; rows are read a page at
a time as they are asked for, and only the last few pages read are held. So opening a
project, and its memory, do not grow with the number of documents.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping, Sequence
from typing import Protocol

from annotator.models import STATUSES, DocumentSummary, Status

PAGE_SIZE = 100
MAX_PAGES = 8  # held pages: a screenful of rows and the way back to it
MAX_POSITIONS = 32  # rows looked up by id outside the held pages


class DocumentSource(Protocol):
    """Where the rows come from (AnnotationService, for one annotator's layer)."""

    def document_counts(self) -> Mapping[Status, int]: ...

    def document_page(self, position: int, limit: int, after_id: int | None = None) -> Sequence[DocumentSummary]: ...

    def document_position(self, document_id: int) -> int | None: ...

    def next_document_named(self, text: str, from_id: int | None) -> int | None: ...


class DocumentPages:
    """Rows by position in import order, counts by status, and rows found by document id."""

    def __init__(self, source: DocumentSource, page_size: int | None = None, max_pages: int | None = None) -> None:
        self._source = source
        self.page_size = page_size or PAGE_SIZE
        self.max_pages = max_pages or MAX_PAGES
        self._pages: OrderedDict[int, list[DocumentSummary]] = OrderedDict()  # least recently used first
        self._rows: dict[int, int] = {}  # document id -> row, for the documents of held pages
        self._positions: dict[int, int] = {}  # document id -> row, looked up outside held pages
        self._pinned: DocumentSummary | None = None
        self.statuses: dict[Status, int] = {}
        self._count_statuses()

    @property
    def count(self) -> int:
        return sum(self.statuses.values())

    @property
    def held_pages(self) -> list[int]:
        """Numbers of the pages held now (page n holds rows n * page_size onwards)."""
        return sorted(self._pages)

    def at(self, row: int) -> DocumentSummary | None:
        """The document in ``row``; None past the end (documents taken away meanwhile)."""
        if not 0 <= row < self.count:
            return None
        page, offset = divmod(row, self.page_size)
        rows = self._page(page)
        return rows[offset] if offset < len(rows) else None

    def row_of(self, document_id: int) -> int | None:
        """The document's row, or None if it is not in the project."""
        row = self._rows.get(document_id)
        if row is None:
            row = self._positions.get(document_id)
        if row is None:
            row = self._source.document_position(document_id)
            if row is not None:
                if len(self._positions) >= MAX_POSITIONS:
                    self._positions.pop(next(iter(self._positions)))
                self._positions[document_id] = row
        return row

    def find(self, text: str, from_row: int) -> int | None:
        """The row of the first document from ``from_row`` on (wrapping round to the top) whose
        external id starts with ``text`` up to case (annotator/type_ahead.py); None if none."""
        start = self.at(from_row)
        found = self._source.next_document_named(text, start.id if start is not None else None)
        return None if found is None else self.row_of(found)

    def known(self, document_id: int) -> DocumentSummary | None:
        """The document's row as read before (pinned, or on a held page); None if not at hand.

        Never read now: after an edit the database already holds the new status, and the
        counts must move from the old one.
        """
        if self._pinned is not None and self._pinned.id == document_id:
            return self._pinned
        row = self._rows.get(document_id)
        return None if row is None else self._pages[row // self.page_size][row % self.page_size]

    def pin(self, document_id: int) -> None:
        """Keep this document's row whatever pages are dropped (its page is read if not held):
        the window's open document, whose edits update() the counts from its status before."""
        row = self.row_of(document_id)
        found = self.at(row) if row is not None else None
        self._pinned = found if found is not None and found.id == document_id else None

    def update(self, doc: DocumentSummary) -> bool:
        """Take in a document's new row, keeping the counts; False if its row before the change
        is not at hand (then the caller reload()s: the database has counted the change)."""
        old = self.known(doc.id)
        if old is None:
            return False
        row = self._rows.get(doc.id)
        if row is not None:
            self._pages[row // self.page_size][row % self.page_size] = doc
        if self._pinned is not None and self._pinned.id == doc.id:
            self._pinned = doc
        self.statuses[old.status] -= 1
        self.statuses[doc.status] += 1
        return True

    def held_row(self, document_id: int) -> int | None:
        """The row of a document on a held page (one a view may be showing), else None."""
        return self._rows.get(document_id)

    def reload(self) -> None:
        """Forget every row and count again, as after an import or an undo in another document."""
        pinned = self._pinned
        self._pages.clear()
        self._rows.clear()
        self._positions.clear()
        self._count_statuses()
        if pinned is not None:
            self.pin(pinned.id)

    def _count_statuses(self) -> None:
        counts = self._source.document_counts()
        self.statuses = {status: counts.get(status, 0) for status in STATUSES}

    def _page(self, page: int) -> list[DocumentSummary]:
        rows = self._pages.get(page)
        if rows is not None:
            self._pages.move_to_end(page)
            return rows
        before = self._pages.get(page - 1)
        after_id = before[-1].id if before is not None and len(before) == self.page_size else None
        first = page * self.page_size
        rows = list(self._source.document_page(first, self.page_size, after_id))
        self._pages[page] = rows
        self._rows.update((doc.id, first + offset) for offset, doc in enumerate(rows))
        while len(self._pages) > self.max_pages:
            for dropped in self._pages.popitem(last=False)[1]:
                self._rows.pop(dropped.id, None)
        return rows


def row_numbered(prefix: str, from_row: int, count: int) -> int | None:
    """The first of ``count`` rows from ``from_row`` on (wrapping round) whose number, shown
    1-based, starts with ``prefix``: worked out from the digits, no row is read."""
    if not (prefix.isascii() and prefix.isdigit()) or prefix.startswith("0"):
        return None
    wanted, scale = int(prefix), 1
    while wanted * scale <= count:  # the numbers starting with prefix: one block per length
        lowest, highest = wanted * scale, min((wanted + 1) * scale - 1, count)
        if max(lowest, from_row + 1) <= highest:
            return max(lowest, from_row + 1) - 1
        scale *= 10
    return wanted - 1 if wanted <= count else None
