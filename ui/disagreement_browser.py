"""The disagreement browser: Ctrl+Shift+D shows the panel, Enter jumps to a row, F4 / Shift+F4 step.

Nothing of it is built, and the agreement modules (numpy, the layer reads) are not imported,
until it is first shown: the window starts as it did. The list is read in slices between
events (a few documents at a time, at most SLICE_MS of work per turn of the event loop), in
one read snapshot kept open until the list is complete, so a project of 100,000 documents
never holds up typing and its first disagreements show at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import combinations
from typing import TYPE_CHECKING

from PySide6.QtCore import QElapsedTimer, QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QDockWidget

from annotator.errors import AnnotatorError
from annotator.gcpause import collector_paused, freeze_survivors

if TYPE_CHECKING:
    from annotator.agreement.disagreements import Disagreement, DisagreementScan
    from ui.disagreement_panel import DisagreementPanel
    from ui.main_window import MainWindow

SLICE_MS = 8  # work per turn of the event loop: well under a key's worth of delay
CHUNK_DOCUMENTS = 10  # documents read per query round (a slice may take several)
STATUSES = ("done",)


class DisagreementBrowser(QObject):
    """Builds the panel on first use, reads its list, and opens a disagreement in the window."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        self.panel: DisagreementPanel | None = None
        self.dock: QDockWidget | None = None
        self.pairs: list[tuple[str, str]] = []
        self._scan: DisagreementScan | None = None
        self._documents: Iterator[list[Disagreement]] | None = None
        self._read = 0  # documents read of the scan's
        self._total = 0  # documents the last scan compared
        self._problem = ""  # why the last reading stopped short
        self._timer = QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._read_slice)
        window.installEventFilter(self)  # its close ends a reading in progress

    def commands(self) -> dict[str, Callable[[], object]]:
        """Handlers of the browser's commands (ui/shortcuts.py)."""
        return {
            "disagreements": self.show_panel,
            "next_disagreement": lambda: self.step(1),
            "previous_disagreement": lambda: self.step(-1),
        }

    def show_panel(self) -> None:
        """Show the panel (built and read the first time) and put the keyboard in its list."""
        panel, dock = self._built()
        dock.show()
        dock.raise_()
        panel.view.setFocus(Qt.FocusReason.ShortcutFocusReason)
        if panel.current_row() is None and panel.model.rowCount():
            panel.select_row(0)

    def step(self, step: int) -> None:
        """Open the next (step 1) or previous (-1) disagreement of the list after the current row."""
        panel, dock = self._built()
        dock.show()
        current = panel.current_row()
        target = (0 if step > 0 else -1) if current is None else current + step
        if target < 0 and current is None:
            self._read_all()  # the last one, from nowhere: the whole list is needed
            target = panel.model.rowCount() - 1
        while target >= panel.model.rowCount() and self._documents is not None:
            self._read_documents(CHUNK_DOCUMENTS)  # not read yet: read on until it is (or the list ends)
        if not 0 <= target < panel.model.rowCount():
            self._window.statusBar().showMessage("No further disagreement in that direction", 4000)
            return
        panel.select_row(target)
        self.open_row(target)

    def open_row(self, row: int) -> None:
        """Open the row's document in the window and select its range; the panel shows both versions."""
        if self.panel is None:
            return
        found = self.panel.model.disagreement(row)
        if found is None:
            return
        window = self._window
        window.navigation.open_document(found.document_id)
        if window.doc is None or window.doc.id != found.document_id:
            return  # it could not be opened (the error is shown)
        window.view.select_range(found.start, found.end)
        # Both versions in the text: the own layer as always, and beside it (read-only) the pair's
        # other annotator; when the pair is two others, the second one (the row shows both).
        first, second = found.first.annotator, found.second.annotator
        window.show_other_layer(first if second == window.service.annotator else second)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._window and event.type() == QEvent.Type.Close:
            self._stop()
        return False

    # --- building and reading -------------------------------------------------------

    def _built(self) -> tuple[DisagreementPanel, QDockWidget]:
        if self.panel is not None and self.dock is not None:
            return self.panel, self.dock
        from ui.disagreement_panel import DisagreementPanel

        window = self._window
        self.panel = DisagreementPanel()
        self.dock = QDockWidget("Disagreements", window)
        self.dock.setObjectName("disagreementsDock")
        self.dock.setWidget(self.panel)
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.dock)
        window.restoreDockWidget(self.dock)  # where it was last time, if it was ever shown
        self.panel.pair_chosen.connect(self._read_pair)
        self.panel.refresh_requested.connect(self.refresh)
        self.panel.disagreement_activated.connect(self._activated)
        window.bridge.changed.connect(self._edited)
        self._list_pairs()
        return self.panel, self.dock

    def _list_pairs(self) -> None:
        """The pairs of annotators with done layers: the window's own annotator's first, as the first of each."""
        from annotator.agreement.disagreements import finished_annotators

        assert self.panel is not None
        own = self._window.service.annotator
        try:
            names = finished_annotators(self._window.service.project, STATUSES)
        except AnnotatorError as error:
            self.pairs = []
            self.panel.set_pairs([], -1)
            self.panel.show_status(str(error))
            return
        mine = [(own, other) for other in names if other != own] if own in names else []
        self.pairs = mine + [pair for pair in combinations(names, 2) if own not in pair]
        self.panel.set_pairs(self.pairs, 0)
        self._read_pair(0)

    def _read_pair(self, index: int) -> None:
        """Start reading the list of pair ``index`` (from the top, in a new snapshot)."""
        from annotator.agreement.disagreements import DisagreementOptions, DisagreementScan

        assert self.panel is not None
        self._stop()
        if not 0 <= index < len(self.pairs):
            return
        self.panel.start(self.pairs[index])
        self._problem = ""
        scan = DisagreementScan(self._window.service.project, DisagreementOptions(annotators=self.pairs[index]))
        try:
            scan.__enter__()
        except AnnotatorError as error:
            self.panel.show_status(str(error))
            return
        self._scan, self._documents, self._read = scan, scan.documents(CHUNK_DOCUMENTS), 0
        self._total = len(scan.document_ids)
        self._show_progress()
        self._timer.start()

    def _read_slice(self) -> None:
        """Documents, until SLICE_MS have passed; what they hold goes to the list at once."""
        clock = QElapsedTimer()
        clock.start()
        found: list[Disagreement] = []
        with collector_paused():
            while self._documents is not None and clock.elapsed() < SLICE_MS:
                found += self._next_documents(1)
            self._add(found)
        # The list's rows live until it is read again and form no cycles: kept out of the
        # collector's full scans, which at 20,000 rows held the event loop 100-200 ms.
        freeze_survivors()

    def _read_all(self) -> None:
        while self._documents is not None:
            self._add(self._next_documents(CHUNK_DOCUMENTS))

    def _read_documents(self, count: int) -> None:
        self._add(self._next_documents(count))

    def _next_documents(self, count: int) -> list[Disagreement]:
        """Up to ``count`` more documents' disagreements (the end of the list stops reading)."""
        assert self.panel is not None and self._documents is not None
        found: list[Disagreement] = []
        try:
            for _ in range(count):
                found.extend(next(self._documents))
                self._read += 1
        except StopIteration:
            self._stop()
        except AnnotatorError as error:
            self._stop()
            self._problem = str(error)
        return found

    def _add(self, found: list[Disagreement]) -> None:
        assert self.panel is not None
        self.panel.model.add(found)
        if self.panel.current_row() is None and self.panel.model.rowCount() and self.panel.view.hasFocus():
            self.panel.select_row(0)
        self._show_progress()

    def _show_progress(self) -> None:
        assert self.panel is not None
        found = len(self.panel.model.found)
        if self._problem:
            self.panel.show_status(self._problem)
        elif self._documents is not None:
            self.panel.show_status(f"{found:,} so far; {self._read:,} of {self._total:,} documents read…")
        else:
            self.panel.show_status(f"{found:,} in the {self._total:,} document(s) both marked done")
        self.panel.update_counts()

    def _stop(self) -> None:
        """End a reading in progress: its snapshot is released."""
        self._timer.stop()
        self._documents = None
        if self._scan is not None:
            scan, self._scan = self._scan, None
            scan.__exit__(None, None, None)

    @property
    def reading(self) -> bool:
        """Whether the list is still being read."""
        return self._documents is not None

    def refresh(self) -> None:
        """Read the current pair's list again, from the top."""
        if self.panel is not None:
            self._read_pair(self.panel.pairs.currentIndex())

    def _activated(self, row: int) -> None:
        self.open_row(row)
        self._window.view.setFocus(Qt.FocusReason.OtherFocusReason)

    def _edited(self, *_changes: object) -> None:
        if self.panel is not None:
            self.panel.show_status(self.panel.status.text().split(" (")[0] + " (edited since: Refresh reads it again)")
