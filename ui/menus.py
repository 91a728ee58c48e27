"""The menu bar and the window's keys, built from the one table in ui/shortcuts.py."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import NamedTuple

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu

from annotator.schema import Schema
from ui.shortcuts import MENU_BAR, SEPARATOR, Command, window_keys


class Toggle(NamedTuple):
    """A checkable command: whether it is on when the window opens, and what to call when it flips
    (a call that returns False refused the flip: the menu's tick goes back to what it was)."""

    checked: bool
    toggled: Callable[[bool], object]


Handler = Callable[[], object] | Toggle
MenuGroup = Callable[[QMenu], object]  # adds a group of actions to a menu


def build_menu_bar(
    window: QMainWindow, schema: Schema, handlers: Mapping[str, Handler], groups: Mapping[str, MenuGroup]
) -> dict[str, QAction]:
    """Every menu of MENU_BAR, each command wired to its handler; the commands' actions by name."""
    actions: dict[str, QAction] = {}
    for title, entries in MENU_BAR.items():
        menu = window.menuBar().addMenu(title)
        for entry in entries:
            if isinstance(entry, Command):
                actions[entry.name] = _command_action(window, schema, entry, handlers[entry.name])
                menu.addAction(actions[entry.name])
            elif entry == SEPARATOR:
                menu.addSeparator()
            else:
                groups[entry](menu)
    return actions


def _command_action(window: QMainWindow, schema: Schema, command: Command, handler: Handler) -> QAction:
    action = QAction(command.text, window)
    action.setShortcuts([QKeySequence(k) for k in window_keys(command.name, schema)])
    action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    if isinstance(handler, Toggle):
        action.setCheckable(True)
        action.setChecked(handler.checked)
        toggled = handler.toggled

        def flip(checked: bool) -> None:
            if toggled(checked) is False:
                with QSignalBlocker(action):
                    action.setChecked(not checked)

        action.toggled.connect(flip)
    else:
        action.triggered.connect(lambda _checked=False: handler())
    window.addAction(action)
    return action


def add_window_actions(window: QMainWindow, menu: QMenu, actions: Iterable[QAction]) -> None:
    """Actions with keys of their own (the schema's hotkeys): in the menu, and live in the whole window."""
    for action in actions:
        window.addAction(action)
        menu.addAction(action)


def relation_actions(window: QMainWindow, schema: Schema, start_relation: Callable[[str], object]) -> list[QAction]:
    """One action per relation type of the schema, on its hotkey if it has one."""
    actions = []
    for relation in schema.relations:
        action = QAction(f"Relation {relation.name}", window)
        if relation.hotkey:
            action.setShortcut(QKeySequence(relation.hotkey))
        action.setToolTip(relation.description)
        action.triggered.connect(lambda _checked=False, name=relation.name: start_relation(name))
        actions.append(action)
    return actions
