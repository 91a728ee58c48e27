"""Find in the document: the find bar's hits, the current one selected, and labelling them all."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from annotator.search import find_all

if TYPE_CHECKING:
    from ui.main_window import MainWindow


class DocumentSearch:
    """The hits of the find bar's query in the open document; they are drawn in the text view."""

    def __init__(self, window: MainWindow) -> None:
        self._window = window
        self.hits: list[tuple[int, int]] = []  # code point ranges, in text order
        self.index: int | None = None  # the current hit, selected in the text

    def commands(self) -> dict[str, Callable[[], object]]:
        """Handlers of the find commands of the Edit menu (ui/shortcuts.py)."""
        return {"find": self.open_bar, "find_next": lambda: self.step(1), "find_previous": lambda: self.step(-1)}

    def open_bar(self) -> None:
        """Open the find bar on the selected text (a selection over lines is no query)."""
        window = self._window
        selection = window.view.selected_range()
        text = window.doc.text[selection[0] : selection[1]] if (window.doc and selection) else ""
        window.find_bar.open_bar(text if "\n" not in text else "")

    def search(self, query: str, case_sensitive: bool) -> None:
        doc = self._window.doc
        self.hits = find_all(doc.text, query, case_sensitive=case_sensitive) if doc else []
        self.index = 0 if self.hits else None
        self._show()

    def search_again(self) -> None:
        """Run the open find bar's query on a newly opened document."""
        find_bar = self._window.find_bar
        if find_bar.isVisible():
            self.search(find_bar.input.text(), find_bar.case.isChecked())

    def step(self, step: int) -> None:
        if not self.hits:
            return
        self.index = ((self.index or 0) + step) % len(self.hits)
        self._show()

    def _show(self) -> None:
        window = self._window
        window.view.set_search_hits(self.hits, self.index)
        window.find_bar.show_count(self.index, len(self.hits))
        if self.index is not None:
            start, end = self.hits[self.index]
            window.view.select_range(start, end)

    def close(self) -> None:
        """The find bar closed: the hits go, the found text stays selected (a label key labels it)."""
        self.hits, self.index = [], None
        self._window.view.set_search_hits([], None)
        self._window.view.setFocus()

    def label_all_found(self) -> None:
        """Ask for a label, then give it to every occurrence of the current hit's text."""
        if self.index is None:
            return
        start, end = self.hits[self.index]
        window = self._window
        window.annotate.choose_label_then(lambda label: window.annotate.label_all(start, end, label))
