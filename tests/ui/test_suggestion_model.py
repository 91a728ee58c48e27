"""The window's set of undecided suggestions (ui/suggestion_model.py, itself Qt-free): it follows the layer's
spans and the rejections without reading again, and finds what a paint or Tab needs by position."""

from __future__ import annotations

from annotator.layer_model import LayerChange
from annotator.models import Span
from annotator.suggest.store import StoredSuggestion
from annotator.suggestion_edits import DocumentSuggestionState
from ui.suggestion_model import ShownSuggestions

STORED = (
    StoredSuggestion(0, 5, "ACTOR", 0.9, ("a",)),
    StoredSuggestion(0, 400, "CLAIM", 0.5, ("b",)),
    StoredSuggestion(10, 15, "DATE", 0.4, ("a",)),
    StoredSuggestion(300, 305, "ACTOR", 0.8, ("a",)),
)


def keys(shown: ShownSuggestions) -> list[tuple[int, int, str]]:
    return [(s.start, s.end, s.label) for s in shown.shown()]


def test_what_the_layer_has_or_rejected_is_not_shown_and_comes_back_on_undo() -> None:
    shown = ShownSuggestions()
    state = DocumentSuggestionState(1, STORED, (), frozenset({(10, 15, "DATE")}))
    own = Span(7, 0, 5, "ACTOR", "Kim J")
    shown.load(state, [own])
    assert keys(shown) == [(0, 400, "CLAIM"), (300, 305, "ACTOR")]
    assert shown.apply_layer(LayerChange(spans_removed=(own,))) == [(0, 5)]  # undo of its accept
    assert shown.apply_decisions([], [(10, 15, "DATE")]) == [(10, 15)]  # undo of its rejection
    assert len(shown) == 4
    shown.apply_layer(LayerChange(spans_changed=((Span(8, 1, 2, "ACTOR", "i"), Span(8, 300, 305, "ACTOR", "Putin")),)))
    assert keys(shown) == [(0, 5, "ACTOR"), (0, 400, "CLAIM"), (10, 15, "DATE")]


def test_position_queries_and_walking_wrap_round() -> None:
    shown = ShownSuggestions()
    shown.load(DocumentSuggestionState(1, STORED, (), frozenset()), [])
    assert [s.label for s in shown.between(200, 310)] == ["CLAIM", "ACTOR"]  # the long one reaches back
    assert [s.label for s in shown.at(12)] == ["CLAIM", "DATE"]  # outermost first
    walked = [shown.step(None, 0, 1)]
    for _ in range(4):
        current = walked[-1]
        assert current is not None
        walked.append(shown.step((current.start, current.end, current.label), current.start, 1))
    assert [s.label for s in walked if s is not None] == ["ACTOR", "CLAIM", "DATE", "ACTOR", "ACTOR"]
    assert shown.step(None, 20, -1) == STORED[2]  # the last one starting before the cursor
    shown.load(None, [])
    assert shown.step(None, 0, 1) is None and shown.between(0, 10) == []


def test_read_in_two_steps_it_shows_what_read_whole_shows() -> None:
    """The first screen's part, then the rest (ui/suggestion_reading.py): a rejection read with the
    first part and a span of the layer added meanwhile hide theirs in the rest too."""
    rejected = frozenset({(300, 305, "ACTOR")})
    own = Span(7, 10, 15, "DATE", "Putin")
    whole = ShownSuggestions()
    whole.load(DocumentSuggestionState(1, STORED, (), rejected), [own])
    shown = ShownSuggestions()
    shown.load(DocumentSuggestionState(1, STORED[:2], (), rejected), [])
    assert keys(shown) == [(0, 5, "ACTOR"), (0, 400, "CLAIM")]
    assert shown.apply_layer(LayerChange(spans_added=(own,))) == []  # not read yet: the rest counts it
    shown.add_rest(STORED[2:], (), [own])
    assert keys(shown) == keys(whole) == [(0, 5, "ACTOR"), (0, 400, "CLAIM")]
    assert shown.between(200, 310) == whole.between(200, 310) and shown.stores_any()
    assert shown.apply_layer(LayerChange(spans_removed=(own,))) == [(10, 15)]  # undo of that span
    assert keys(shown) == [(0, 5, "ACTOR"), (0, 400, "CLAIM"), (10, 15, "DATE")]
