"""Every window-wide command with its menu text and keys: one table, shown in the menus."""

from __future__ import annotations

from annotator.schema import Schema

# name -> (menu text, key sequences). Label and relation hotkeys come from the schema.
SHORTCUTS: dict[str, tuple[str, list[str]]] = {
    "open": ("&Open Project…", ["Ctrl+O"]),
    "quit": ("&Quit", ["Ctrl+Q"]),
    "undo": ("Undo", ["Ctrl+Z"]),
    "redo": ("Redo", ["Ctrl+Shift+Z", "Ctrl+Y"]),
    "delete": ("&Delete Selected Span or Relation", ["Delete", "Backspace"]),
    "escape": ("Clear Selection / Cancel", ["Esc"]),
    "label_all": ("&Label All Occurrences", ["Ctrl+L"]),
    "find": ("&Find…", ["Ctrl+F"]),
    "find_next": ("Find &Next", ["F3"]),
    "find_previous": ("Find &Previous", ["Shift+F3"]),
    "next_span": ("Next Span", ["Alt+Right"]),
    "previous_span": ("Previous Span", ["Alt+Left"]),
    "confirm": ("Use Selected Span as Relation Tail", ["Return", "Enter"]),
    # A span's edges: by a word, or by a character with Snap to Words off (see ui/span_adjust.py).
    "end_right": ("Move Span &End Right", ["Alt+Shift+Right"]),
    "end_left": ("Move Span End Left", ["Alt+Shift+Left"]),
    "start_left": ("Move Span &Start Left", ["Ctrl+Alt+Left"]),
    "start_right": ("Move Span Start Right", ["Ctrl+Alt+Right"]),
    "next_document": ("&Next Document", ["Ctrl+PgDown", "Alt+Down"]),
    "previous_document": ("&Previous Document", ["Ctrl+PgUp", "Alt+Up"]),
    "next_unfinished": ("Next &Unfinished Document", ["Ctrl+J"]),
    "mark_done": ("Mark &Done and Go On", ["Ctrl+Return", "Ctrl+Enter"]),
    "skip": ("&Skip and Go On", ["Ctrl+Shift+Return", "Ctrl+Shift+Enter"]),
    "mark_in_progress": ("Mark &In Progress", ["Ctrl+I"]),
    "snap": ("&Snap Selection to Words", ["Ctrl+Shift+W"]),
    "zoom_in": ("Zoom &In", ["Ctrl++", "Ctrl+="]),
    "zoom_out": ("Zoom &Out", ["Ctrl+-"]),
    "zoom_reset": ("&Reset Zoom", ["Ctrl+0"]),
    "help": ("&Keys…", ["F1", "?"]),
}


def window_keys(name: str, schema: Schema) -> list[str]:
    """The keys of window command ``name`` less any the schema gives a label or relation
    (a schema's "?" hotkey wins over the help key: one key, one meaning)."""
    taken = {spec.hotkey for spec in schema.labels} | {r.hotkey for r in schema.relations if r.hotkey}
    return [key for key in SHORTCUTS[name][1] if key not in taken]
