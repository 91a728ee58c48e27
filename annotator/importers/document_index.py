"""Which documents an import has to know about, in memory that stays small however many there are.

An import must know, for every record, whether its text is in the project already (from
before the import or earlier in it: the document is then not added again) and which text
its document id belongs to (an id may not change texts). Keeping each sha256 and id as
strings in dicts and sets cost ~500 bytes a document, and even two Python integers a
document in a set ~180 bytes (the integer objects and the set's table), which is how an
import's memory grew with the corpus.

What is kept instead, per document of the project and of the import:
- two 32-bit keys (a prefix of the sha256, a hash of the document id) in a KeyFilter: an
  open-addressing table of machine integers, 8 to 16 bytes a key (1.6 to 3.2 MiB at 100,000
  documents). A key that is not in it is certainly new; a key that is in it is looked up in
  the database, which is the exact answer (the import's own documents are written there in
  its transaction, batch by batch). Hits are what a re-import or a repeated document makes,
  and two keys that collide: with 200,000 keys a new key collides with one of them once in
  20,000, so the lookups cost nothing otherwise;
- the ids of the documents this import added, 8 bytes each in an array, which its event
  lists (undo-import takes them out) and which tell them from the documents that were there.
Documents queued for the next batch insert (at most a batch) are kept whole until written.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, insort
from typing import NamedTuple

from sqlalchemy import Connection, or_, select

from annotator.db.tables import DocumentRow


class Found(NamedTuple):
    """What the project (and the import so far) holds for one record's text and document id (a
    tuple: one is made per record, and a frozen dataclass costs several times as much to make)."""

    holds_text: bool  # a document with this text is there (or queued)
    doc_id: int | None  # its id once written
    existing: bool  # it was there before the import
    owner: str | None  # sha256 of the document that has this document id, if any


def _text_key(sha: str) -> int:
    return int(sha[:8], 16)  # the first 32 bits of the sha256


def _id_key(external_id: str) -> int:
    # str's hash, salted per process: the filter lives for one import. A text key that equals an
    # id key only costs a lookup.
    return hash(external_id) & KEY_MASK


KEY_MASK = 0xFFFF_FFFF


class KeyFilter:
    """A set of 32-bit keys in an array of machine integers ("I": 4 bytes on every platform
    CPython runs on): open addressing with linear probing, kept at most half full, doubled when
    it fills. 0 marks an empty slot, so the key 0 is stored as 1, and bits above 32 are dropped:
    the filter may answer yes for a key it was not given (the caller looks such keys up), never
    no for one it was."""

    INITIAL_SLOTS = 1 << 12

    def __init__(self) -> None:
        self.slots = array("I", bytes(4 * self.INITIAL_SLOTS))
        self.mask = self.INITIAL_SLOTS - 1
        self.count = 0

    def __len__(self) -> int:
        return self.count

    def __contains__(self, key: int) -> bool:
        key = key & KEY_MASK or 1
        slots, mask = self.slots, self.mask
        at = key & mask
        while (found := slots[at]) != key:
            if not found:
                return False
            at = (at + 1) & mask
        return True

    def add(self, key: int) -> None:
        key = key & KEY_MASK or 1
        slots, mask = self.slots, self.mask
        at = key & mask
        while (found := slots[at]) != key:
            if not found:
                slots[at] = key
                self.count += 1
                if 2 * self.count > len(slots):
                    self._grow()
                return
            at = (at + 1) & mask

    def _grow(self) -> None:
        slots = array("I", bytes(8 * len(self.slots)))
        mask = len(slots) - 1
        for key in filter(None, self.slots):  # each key once: no comparisons, only probing for a free slot
            at = key & mask
            while slots[at]:
                at = (at + 1) & mask
            slots[at] = key
        self.slots, self.mask = slots, mask

    @property
    def nbytes(self) -> int:
        return len(self.slots) * self.slots.itemsize


class DocumentIndex:
    def __init__(self, connection: Connection, project_id: int) -> None:
        self.connection = connection
        self.project_id = project_id
        self.keys = KeyFilter()
        self.queued: dict[str, str] = {}  # sha -> external id of documents not yet written
        self.queued_owner: dict[str, str] = {}  # external id -> sha, of the same
        self.added = array("q")  # ids of the documents this import wrote, ascending
        rows = connection.execute(
            select(DocumentRow.sha256, DocumentRow.external_id).where(DocumentRow.project_id == project_id)
        )
        for sha, external_id in rows:
            self.keys.add(_text_key(sha))
            self.keys.add(_id_key(external_id))

    def find(self, sha: str, external_id: str) -> Found:
        owner = self.queued_owner.get(external_id)
        queued = sha in self.queued  # then it is not in the database, but its id may be
        text_hit = not queued and _text_key(sha) in self.keys
        if not text_hit and (owner is not None or _id_key(external_id) not in self.keys):
            return Found(queued, None, False, owner)
        doc_id = None
        for row_id, row_sha, row_external_id in self.connection.execute(
            select(DocumentRow.id, DocumentRow.sha256, DocumentRow.external_id).where(
                DocumentRow.project_id == self.project_id,
                or_(DocumentRow.sha256 == sha, DocumentRow.external_id == external_id),
            )
        ):
            if row_sha == sha:
                doc_id = row_id
            if row_external_id == external_id:
                owner = row_sha
        existing = doc_id is not None and not self.wrote(doc_id)
        return Found(queued or doc_id is not None, doc_id, existing, owner)

    def queue(self, sha: str, external_id: str) -> None:
        """A document that the next batch insert writes."""
        self.queued[sha] = external_id
        self.queued_owner[external_id] = sha

    def written(self, ids: list[int]) -> None:
        """The queued documents are in the database now, under these ids."""
        for sha, external_id in self.queued.items():
            self.keys.add(_text_key(sha))
            self.keys.add(_id_key(external_id))
        self.queued.clear()
        self.queued_owner.clear()
        for doc_id in sorted(ids):
            if not self.added or doc_id > self.added[-1]:
                self.added.append(doc_id)
            else:  # a sequence shared with other writers need not hand out ids in order
                insort(self.added, doc_id)

    def wrote(self, doc_id: int) -> bool:
        at = bisect_left(self.added, doc_id)
        return at < len(self.added) and self.added[at] == doc_id


class WrittenLayers:
    """The layers this import wrote, 24 bytes each: (document id, annotator id) for its event,
    and the file:line each came from, for the message that refuses a second, different layer
    of the same document and annotator later in the import (looked up only then)."""

    def __init__(self) -> None:
        self.added = array("q")  # document id, annotator id, ... of the layers added
        self.places = array("q")  # document id, annotator id, source << 32 | line, ... of every layer written
        self.sources: dict[str, int] = {}

    def add(self, doc_id: int, annotator_id: int) -> None:
        self.added.extend((doc_id, annotator_id))

    def place(self, doc_id: int, annotator_id: int, where: str) -> None:
        source, _, line = where.rpartition(":")
        number = self.sources.setdefault(source, len(self.sources))
        self.places.extend((doc_id, annotator_id, number << 32 | int(line)))

    def where(self, doc_id: int, annotator_id: int) -> str:
        names = {number: source for source, number in self.sources.items()}
        for at in range(0, len(self.places), 3):
            if self.places[at] == doc_id and self.places[at + 1] == annotator_id:
                packed = self.places[at + 2]
                return f"{names[packed >> 32]}:{packed & 0xFFFF_FFFF}"
        return "an earlier record"
