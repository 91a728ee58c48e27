"""The undo/redo stack. It only orders commands; the service runs them in transactions.

A command enters the undo stack only after it applied successfully, and moves between
the stacks only after its revert or re-apply committed: a failure leaves history as it was.
"""

from __future__ import annotations

from annotator.commands import Command
from annotator.errors import NothingToUndoError

DEFAULT_DEPTH = 1000


class History:
    def __init__(self, depth: int = DEFAULT_DEPTH) -> None:
        self._undo: list[Command] = []
        self._redo: list[Command] = []
        self._depth = depth

    def done(self, command: Command) -> None:
        """A new command applied: it can be undone, and what was undone can no longer be redone."""
        self._undo.append(command)
        del self._undo[: -self._depth]
        self._redo.clear()

    def next_undo(self) -> Command:
        if not self._undo:
            raise NothingToUndoError("nothing to undo")
        return self._undo[-1]

    def next_redo(self) -> Command:
        if not self._redo:
            raise NothingToUndoError("nothing to redo")
        return self._redo[-1]

    def undone(self) -> None:
        self._redo.append(self._undo.pop())

    def redone(self) -> None:
        self._undo.append(self._redo.pop())

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    @property
    def undo_description(self) -> str | None:
        return self._undo[-1].description if self._undo else None

    @property
    def redo_description(self) -> str | None:
        return self._redo[-1].description if self._redo else None

    def clear(self) -> None:
        self._undo.clear()
        self._redo.clear()
