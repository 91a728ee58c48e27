"""Messages to the annotator. Errors are dialogs with a clear text, never a crash."""

from __future__ import annotations

import getpass

from PySide6.QtWidgets import QInputDialog, QMessageBox, QWidget


def report_error(parent: QWidget | None, title: str, message: str) -> QMessageBox:
    """Show an error without blocking the caller (tests find it among top-level widgets)."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("errorDialog")
    box.open()
    return box


def ask_annotator_name(parent: QWidget | None) -> str | None:
    """Asked once, on first start; the login name is offered."""
    try:
        default = getpass.getuser()
    except (KeyError, OSError):
        default = ""
    name, ok = QInputDialog.getText(
        parent, "Who is annotating?", "Your name (your annotations are kept in a layer of their own):", text=default
    )
    name = name.strip()
    return name if ok and name else None
