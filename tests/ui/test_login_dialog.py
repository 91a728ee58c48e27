"""The password dialog of a team's database, driven with keys: masked, the role shown and editable,
Enter with an empty field logs nobody in, Escape cancels."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from ui.login_dialog import LoginDialog


def test_the_password_is_masked_and_the_role_shown(qtbot: QtBot) -> None:
    dialog = LoginDialog(None, "database news on db:5432", "ann1")
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.password_field.echoMode() == QLineEdit.EchoMode.Password
    assert dialog.role_field.text() == "ann1" and not dialog.problem.isVisibleTo(dialog)
    qtbot.keyClicks(dialog.password_field, "s3cret pw")
    assert dialog.password_field.displayText() != "s3cret pw"
    with qtbot.waitSignal(dialog.accepted):
        qtbot.keyClick(dialog.password_field, Qt.Key.Key_Return)
    assert (dialog.role(), dialog.password()) == ("ann1", "s3cret pw")


def test_enter_without_a_password_or_a_role_logs_nobody_in(qtbot: QtBot) -> None:
    dialog = LoginDialog(None, "database news on db:5432", "", "Wrong password for 'x'. The server says: no")
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.problem.isVisibleTo(dialog) and "The server says" in dialog.problem.text()
    qtbot.keyClick(dialog.role_field, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.result() == 0
    qtbot.keyClicks(dialog.role_field, "rev1")
    qtbot.keyClick(dialog.role_field, Qt.Key.Key_Return)  # still no password
    assert dialog.isVisible()
    with qtbot.waitSignal(dialog.rejected):
        qtbot.keyClick(dialog.role_field, Qt.Key.Key_Escape)


def test_a_database_failure_after_opening_is_one_dialog_and_other_errors_pass_on(qtbot: QtBot) -> None:
    import psycopg
    from PySide6.QtWidgets import QApplication, QMessageBox
    from sqlalchemy.exc import ProgrammingError

    from ui.login_lost import TITLE, database_failure_hook

    passed_on: list[BaseException] = []
    hook = database_failure_hook(lambda _kind, error, _trace: passed_on.append(error))
    refused = psycopg.errors.InsufficientPrivilege("permission denied for table documents")
    error = ProgrammingError("SELECT ...", {}, refused)
    hook(type(error), error, None)
    hook(type(error), error, None)  # again while the first dialog is open: still one
    boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.windowTitle() == TITLE]
    assert len(boxes) == 1 and boxes[0].isVisible()
    assert boxes[0].text() == (
        "the database refuses: permission denied for table documents: your role may not do this; ask the team's admin"
    )
    boxes[0].accept()
    bug = ValueError("a bug")
    hook(ValueError, bug, None)
    assert passed_on == [bug]


def test_without_a_team_the_first_start_still_asks_the_name_and_remembers_it(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from annotator.cli import main
    from ui import dialogs
    from ui.app import build_window
    from ui.settings import WindowSettings

    assert main(["init", str(tmp_path / "p")]) == 0
    asked: list[object] = []
    monkeypatch.setattr(dialogs, "ask_annotator_name", lambda parent: asked.append(parent) or "bob")
    window = build_window(tmp_path / "p")
    qtbot.addWidget(window)
    assert asked == [None] and window.service.annotator == "bob" and window.windowTitle().endswith("— bob")
    assert WindowSettings().annotator == "bob"
    window.close()
