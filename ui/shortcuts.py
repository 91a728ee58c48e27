"""The menu bar: every window-wide command with its menu, menu text and keys, in one table.

The menus are built from it (ui/menus.py) and the F1 overlay lists it (ui/help_overlay.py),
so what a key does, where the menu shows it and what the overlay says cannot drift apart.
Label and relation hotkeys come from the schema.
"""

from __future__ import annotations

from typing import NamedTuple

from annotator.schema import Schema


class Command(NamedTuple):
    name: str  # what the window wires a handler to
    text: str  # as in the menu, & before the mnemonic
    keys: tuple[str, ...]


SEPARATOR = "-"
# Entries of a menu: a Command, SEPARATOR, or the name of a group of actions the window adds
# there itself (recent projects, the schema's labels and relations, the panels).
Entry = Command | str

MENU_BAR: dict[str, tuple[Entry, ...]] = {
    "&File": (
        Command("open", "&Open Project…", ("Ctrl+O",)),
        "recent_projects",
        SEPARATOR,
        Command("quit", "&Quit", ("Ctrl+Q",)),
    ),
    "&Edit": (
        Command("undo", "Undo", ("Ctrl+Z",)),
        Command("redo", "Redo", ("Ctrl+Shift+Z", "Ctrl+Y")),
        SEPARATOR,
        Command("delete", "&Delete Selected Span or Relation / Reject Suggestion", ("Delete", "Backspace")),
        Command("escape", "Clear Selection / Cancel", ("Esc",)),
        Command("label_all", "&Label All Occurrences", ("Ctrl+L",)),
        SEPARATOR,
        Command("find", "&Find…", ("Ctrl+F",)),
        Command("find_next", "Find &Next", ("F3",)),
        Command("find_previous", "Find &Previous", ("Shift+F3",)),
    ),
    "&Annotate": (
        "labels",
        SEPARATOR,
        "relations",
        SEPARATOR,
        Command("next_span", "Next Span", ("Alt+Right",)),
        Command("previous_span", "Previous Span", ("Alt+Left",)),
        # Enter also accepts the selected suggestion (ui/suggestion_control.py).
        Command("confirm", "Use Selected Span as Relation Tail / Accept Suggestion", ("Return", "Enter")),
        SEPARATOR,
        # A span's edges: by a word, or by a character with Snap to Words off (see ui/span_adjust.py).
        Command("end_right", "Move Span &End Right", ("Alt+Shift+Right",)),
        Command("end_left", "Move Span End Left", ("Alt+Shift+Left",)),
        Command("start_left", "Move Span &Start Left", ("Ctrl+Alt+Left",)),
        Command("start_right", "Move Span Start Right", ("Ctrl+Alt+Right",)),
        SEPARATOR,
        # From the other layer shown read-only (ui/layer_control.py) into the own one.
        Command("copy_span", "&Copy Span from Other Layer", ("Ctrl+Shift+C",)),
        Command("copy_layer", "Copy &All Spans from Other Layer", ("Ctrl+Alt+C",)),
    ),
    "&Document": (
        Command("next_document", "&Next Document", ("Ctrl+PgDown", "Alt+Down")),
        Command("previous_document", "&Previous Document", ("Ctrl+PgUp", "Alt+Up")),
        Command("next_unfinished", "Next &Unfinished Document", ("Ctrl+J",)),
        SEPARATOR,
        Command("mark_done", "Mark &Done and Go On", ("Ctrl+Return", "Ctrl+Enter")),
        Command("skip", "&Skip and Go On", ("Ctrl+Shift+Return", "Ctrl+Shift+Enter")),
        Command("mark_in_progress", "Mark &In Progress", ("Ctrl+I",)),
        SEPARATOR,
        Command("disagreements", "Show Dis&agreements", ("Ctrl+Shift+D",)),
        Command("next_disagreement", "Next Disagreement", ("F4",)),
        Command("previous_disagreement", "Previous Disagreement", ("Shift+F4",)),
    ),
    "&Review": (
        # Adjudication into the gold layer (ui/review_mode.py); Ctrl+Enter marks a document reviewed there.
        Command("review_mode", "&Review Mode (Edit Gold)", ("Ctrl+Shift+R",)),
        SEPARATOR,
        Command("accept_candidate", "&Accept Candidate into Gold", ("F5",)),
        Command("reject_candidate", "Re&ject Candidate", ("F6",)),
        Command("accept_agreed", "Accept All A&greed Candidates", ("F7",)),
        Command("next_candidate", "&Next Undecided Candidate", ("F8",)),
        Command("previous_candidate", "&Previous Undecided Candidate", ("Shift+F8",)),
        SEPARATOR,
        Command("mark_reviewed", "Mark Re&viewed and Go On", ()),
    ),
    "&Suggestions": (
        # Proposed spans to accept or reject (ui/suggestion_control.py); Enter and Delete are the Edit
        # menu's keys, which act on a selected suggestion: the menu shows them after a tab.
        Command("next_suggestion", "&Next Suggestion", ("Tab",)),
        Command("previous_suggestion", "&Previous Suggestion", ("Shift+Tab",)),
        Command("accept_suggestion", "&Accept Suggestion\tEnter", ()),
        Command("reject_suggestion", "&Reject Suggestion\tDelete", ()),
        Command("accept_label", "Accept All of This &Label", ("Ctrl+Shift+A",)),
        Command("accept_above", "Accept All Above a &Score…", ("Ctrl+Shift+T",)),
        SEPARATOR,
        Command("suggest_now", "Suggest for This &Document Now", ("Ctrl+Shift+S",)),
        Command("show_suggestions", "S&how Suggestions", ("Ctrl+Alt+S",)),
    ),
    "&View": (
        Command("snap", "&Snap Selection to Words", ("Ctrl+Shift+W",)),
        Command("zoom_in", "Zoom &In", ("Ctrl++", "Ctrl+=")),
        Command("zoom_out", "Zoom &Out", ("Ctrl+-",)),
        Command("zoom_reset", "&Reset Zoom", ("Ctrl+0",)),
        Command("next_layer", "Show Next Other &Layer", ("Ctrl+Shift+L",)),
        # Relation arcs beside the text and label tags on the spans (ui/arc_gutter.py, ui/label_tags.py).
        Command("arc_mode", "Relation &Arcs: All / Selected / Hidden", ("Ctrl+Shift+K",)),
        Command("label_tags", "Label &Tags on Spans", ("Ctrl+Shift+G",)),
        SEPARATOR,
        "panels",
    ),
    "&Help": (Command("help", "&Keys…", ("F1", "?")),),
}

# Every command by name, in menu order.
SHORTCUTS: dict[str, Command] = {
    entry.name: entry for entries in MENU_BAR.values() for entry in entries if isinstance(entry, Command)
}


def window_keys(name: str, schema: Schema) -> list[str]:
    """The keys of window command ``name`` less any the schema gives a label or relation
    (a schema's "?" hotkey wins over the help key: one key, one meaning)."""
    taken = {spec.hotkey for spec in schema.labels} | {r.hotkey for r in schema.relations if r.hotkey}
    return [key for key in SHORTCUTS[name].keys if key not in taken]
