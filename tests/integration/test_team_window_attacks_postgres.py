"""Attacks on the window of a team member while it is open: the review key as an annotator, the
login removed mid-session (then an edit, then another document), the server dropping every
connection while the window is idle (the feed reconnects; edits go on). Each failure is one
dialog or status-bar line; the database is read back after each."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import sys
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from annotator.config import DATABASE_URL_VARIABLE
from annotator.project import Project
from annotator.team.members import remove_member
from tests.integration.team_fixtures import PASSWORD, Team
from tests.ui.conftest import isolated_settings, shown_window  # noqa: F401  (fixture)
from ui.login_dialog import LoginDialog
from ui.login_lost import database_failure_hook
from ui.main_window import MainWindow

pytestmark = pytest.mark.postgres
TEXTS = ["Alice met Bob in Paris on Monday.", "Carol wrote to Dave from Rome."]


def add_documents(team: Team) -> list[int]:
    with Project.open(team.root) as project, project.engine.begin() as connection:
        return [
            int(
                connection.execute(
                    text(
                        "INSERT INTO documents (project_id, external_id, text, text_length, sha256, meta) "
                        "VALUES (:p, :e, :t, :n, :e, '{}') RETURNING id"
                    ),
                    {"p": project.id, "e": f"d{i}", "t": body, "n": len(body)},
                ).scalar_one()
            )
            for i, body in enumerate(TEXTS)
        ]


def saved(team: Team) -> list[tuple[int, int, int, str]]:
    with create_engine(team.admin_url, poolclass=NullPool).connect() as connection:
        return [
            tuple(row)  # type: ignore[misc]
            for row in connection.execute(
                text("SELECT s.document_id, s.start, s.end, s.label FROM spans s ORDER BY s.document_id, s.start")
            )
        ]


def error_dialogs() -> list[QMessageBox]:
    return [
        w
        for w in QApplication.topLevelWidgets()
        if isinstance(w, QMessageBox) and w.isVisible() and w.objectName() == "errorDialog"
    ]


@pytest.fixture
def hooked() -> Iterator[None]:
    """The excepthook ui.app.run installs: a database failure in a slot becomes a dialog."""
    previous = sys.excepthook
    sys.excepthook = database_failure_hook(previous)
    yield
    sys.excepthook = previous


def member_window(team: Team, short: str, role: str, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> MainWindow:
    team.add(short, role)
    if role == "annotator":  # on a team an annotator's list is their queue: every document, assigned
        from annotator.team.assign import assign_documents

        with Project.open(team.root) as project:
            assign_documents(project, [team.members[short]], 1)
    monkeypatch.setenv(DATABASE_URL_VARIABLE, team.url(short))
    window = shown_window(qtbot, team.root, "ignored")
    qtbot.waitUntil(window.isActiveWindow)
    window.view.setFocus()
    return window


def select(window: MainWindow, start: int, end: int) -> None:
    cursor = window.view.textCursor()
    cursor.setPosition(window.view.qt_at_offset(start))
    cursor.setPosition(window.view.qt_at_offset(end), cursor.MoveMode.KeepAnchor)
    window.view.setTextCursor(cursor)


def test_an_annotator_pressing_the_review_key_gets_one_dialog_and_stays_in_their_layer(
    team: Team, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_documents(team)
    window = member_window(team, "ann1", "annotator", qtbot, monkeypatch)
    qtbot.keyClick(window.view, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    dialogs = error_dialogs()
    assert len(dialogs) == 1 and "reviewers and admins" in dialogs[0].text(), [d.text() for d in dialogs]
    dialogs[0].accept()
    assert not window.review.active and window.service.annotator == team.members["ann1"]
    action = next(a for a in window.findChildren(type(window.undo_action)) if "Review Mode" in a.text())
    assert not action.isChecked()  # the menu does not claim review mode is on
    qtbot.keyClick(window.view, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    dialogs = error_dialogs()
    assert len(dialogs) == 1 and not action.isChecked() and not window.review.active  # asked again: refused again
    dialogs[0].accept()
    select(window, 0, 5)
    qtbot.keyClick(window.view, Qt.Key.Key_A)
    assert [s[1:] for s in saved(team)] == [(0, 5, "ACTOR")]


def test_a_reviewer_switches_to_review_mode_and_back(team: Team, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    docs = add_documents(team)
    window = member_window(team, "rev1", "reviewer", qtbot, monkeypatch)
    keys = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(window.view, Qt.Key.Key_R, keys)
    assert window.review.active and window.service.annotator == "gold" and error_dialogs() == []
    select(window, 0, 5)
    qtbot.keyClick(window.view, Qt.Key.Key_A)
    qtbot.keyClick(window.view, Qt.Key.Key_R, keys)
    assert not window.review.active and window.service.annotator == team.members["rev1"]
    select(window, 10, 13)
    qtbot.keyClick(window.view, Qt.Key.Key_A)
    with create_engine(team.admin_url, poolclass=NullPool).connect() as connection:
        rows = connection.execute(
            text("SELECT a.name, s.start FROM spans s JOIN annotators a ON a.id = s.annotator_id ORDER BY s.start")
        ).all()
    assert [tuple(r) for r in rows] == [("gold", 0), (team.members["rev1"], 10)] and docs


def test_the_login_removed_while_the_window_is_open(
    team: Team, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, hooked: None
) -> None:
    add_documents(team)
    window = member_window(team, "ann1", "annotator", qtbot, monkeypatch)
    select(window, 0, 5)
    qtbot.keyClick(window.view, Qt.Key.Key_A)
    admin = create_engine(team.admin_url, poolclass=NullPool)
    remove_member(admin, team.members["ann1"])
    admin.dispose()
    select(window, 10, 13)
    qtbot.keyClick(window.view, Qt.Key.Key_A)  # an edit: refused by the database
    dialogs = error_dialogs()
    assert len(dialogs) == 1, [d.text() for d in dialogs]
    assert "\n" not in dialogs[0].text() and "Traceback" not in dialogs[0].text(), dialogs[0].text()
    dialogs[0].accept()
    assert sorted(window.layer.spans.values(), key=lambda s: s.start)[0].start == 0
    assert len(window.layer.spans) == 1  # nothing shown that was not saved
    # Another document (Ctrl+PgDown): one dialog again; the window stays on the one it shows.
    qtbot.keyClick(window.view, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    dialogs = error_dialogs()
    assert len(dialogs) == 1 and "ask the team's admin" in dialogs[0].text(), [d.text() for d in dialogs]
    dialogs[0].accept()
    assert window.doc is not None and window.doc.text == TEXTS[0]
    assert [s[1:] for s in saved(team)] == [(0, 5, "ACTOR")]


def test_the_server_dropping_every_connection_while_idle(
    team: Team, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, hooked: None
) -> None:
    docs = add_documents(team)
    window = member_window(team, "ann1", "annotator", qtbot, monkeypatch)
    select(window, 0, 5)
    qtbot.keyClick(window.view, Qt.Key.Key_A)
    qtbot.wait(500)
    with create_engine(team.admin_url, poolclass=NullPool).connect() as connection:
        killed = connection.execute(
            text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE usename = :u"),
            {"u": team.members["ann1"]},
        ).scalar()
    assert killed and killed >= 2  # the window's pool and its feed's LISTEN
    qtbot.wait(300)
    select(window, 10, 13)
    qtbot.keyClick(window.view, Qt.Key.Key_A)  # the first edit after: the pool reconnects
    assert error_dialogs() == [], [d.text() for d in error_dialogs()]
    assert [s[1:] for s in saved(team)] == [(0, 5, "ACTOR"), (10, 13, "ACTOR")]
    # The feed listens again: another session's edit arrives.
    with monkeypatch.context() as patch:
        patch.setenv(DATABASE_URL_VARIABLE, team.url("ann1"))
        from annotator.service import AnnotationService

        with AnnotationService.open(team.root) as other:
            other.document(docs[0])
            span = other.add_span(docs[0], 17, 22, "ACTOR").value
    qtbot.waitUntil(lambda: span.id in window.layer.spans, timeout=8000)


def test_the_password_dialog_under_attack_empty_long_non_ascii_then_cancel(
    qtbot: QtBot, team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Return on an empty password keeps the dialog; a 10,000-character and a non-ASCII wrong password
    are each "wrong password" (never a traceback or a second kind of dialog); Cancel after them ends
    with exit 1 and nothing else shown; then the right password opens the window."""
    from tests.integration.test_team_window_postgres import Opening, as_member, cancel, type_password

    for variable in ("PGPASSWORD", "PGUSER", "PGSERVICE"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("PGPASSFILE", "/nonexistent/pgpass")  # the machine's ~/.pgpass answers for nobody
    team.add("ann1", "annotator")
    as_member(team, "ann1", monkeypatch)
    stayed: list[bool] = []

    def empty_then_long(qtbot: QtBot, dialog: LoginDialog) -> None:
        qtbot.keyClick(dialog.password_field, Qt.Key.Key_Return)
        stayed.append(dialog.isVisible())
        dialog.password_field.setText("x" * 10_000)
        qtbot.keyClick(dialog.password_field, Qt.Key.Key_Return)

    def non_ascii(qtbot: QtBot, dialog: LoginDialog) -> None:
        dialog.password_field.setText("pässwörd–密码")  # as pasted: QTest types ASCII keys only
        qtbot.keyClick(dialog.password_field, Qt.Key.Key_Return)

    opening = Opening(qtbot, team.root, [empty_then_long, non_ascii, cancel])
    assert opening.run() == 1
    assert stayed == [True] and len(opening.seen) == 3 and opening.messages == [] and opening.window is None
    assert all("Wrong password" in problem for problem in opening.problems[1:]), opening.problems
    opening = Opening(qtbot, team.root, [type_password(PASSWORD)])
    assert opening.run() == 0 and opening.window is not None and opening.messages == []
