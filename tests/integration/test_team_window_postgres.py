"""The window on a team's database: the login is the name (no name dialog), a password dialog
when the server asks for one (driven here with keys), the password in memory only, and every
failure a dialog with one message."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before any QApplication exists

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy.engine import URL, make_url

from annotator.config import DATABASE_URL_VARIABLE
from tests.integration.conftest import FolderMaker
from tests.integration.team_fixtures import PASSWORD, Team
from tests.ui.conftest import isolated_settings  # noqa: F401  (QSettings in a temporary folder)
from ui import app as app_module
from ui import dialogs
from ui.login_dialog import LoginDialog
from ui.main_window import MainWindow
from ui.settings import WindowSettings

pytestmark = pytest.mark.postgres
WRONG = "Wr0ng-Pa55word"
DialogStep = Callable[[QtBot, LoginDialog], None]


@pytest.fixture(autouse=True)
def no_name_is_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(_parent: object) -> str:
        raise AssertionError("the annotator-name dialog was shown")

    monkeypatch.setattr(dialogs, "ask_annotator_name", refuse)
    for variable in ("PGPASSWORD", "PGUSER", "PGSERVICE"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("PGPASSFILE", "/nonexistent/pgpass")  # the machine's ~/.pgpass answers for nobody


def as_member(team: Team, short: str, monkeypatch: pytest.MonkeyPatch, password: str | None = None) -> None:
    url = make_url(team.admin_url).set(username=team.members[short], password=password)
    monkeypatch.setenv(DATABASE_URL_VARIABLE, url.render_as_string(hide_password=False))


def type_password(text: str, role: str | None = None) -> DialogStep:
    def step(qtbot: QtBot, dialog: LoginDialog) -> None:
        if role is not None:
            dialog.role_field.selectAll()
            qtbot.keyClicks(dialog.role_field, role)
        qtbot.keyClicks(dialog.password_field, text)
        qtbot.keyClick(dialog.password_field, Qt.Key.Key_Return)

    return step


def cancel(qtbot: QtBot, dialog: LoginDialog) -> None:
    qtbot.keyClick(dialog.password_field, Qt.Key.Key_Escape)


@dataclass
class Shown:
    """What the main window showed, read before the poll closes it."""

    title: str
    annotator: str
    password_in_engine: str | None


class Opening:
    """`annotator PROJECT` as a user runs it (ui.app.run), with the dialogs it shows answered by
    ``steps`` in turn, error dialogs read and accepted, and the main window read and closed."""

    def __init__(self, qtbot: QtBot, root: Path, steps: list[DialogStep]) -> None:
        self.qtbot = qtbot
        self.root = root
        self.steps = steps
        self.seen: list[LoginDialog] = []
        self.problems: list[str] = []  # what each login dialog showed as the problem
        self.masked: list[bool] = []  # whether each login dialog's password field was masked
        self.messages: list[str] = []  # error dialogs
        self.window: Shown | None = None

    def _answer(self) -> None:
        modal = QApplication.activeModalWidget()
        if isinstance(modal, LoginDialog) and modal.isVisible() and modal not in self.seen:
            self.seen.append(modal)
            self.problems.append(modal.problem.text() if modal.problem.isVisibleTo(modal) else "")
            self.masked.append(modal.password_field.echoMode() == modal.password_field.EchoMode.Password)
            if self.steps:
                self.steps.pop(0)(self.qtbot, modal)
            else:  # not expected: the test's asserts on self.seen say so
                modal.reject()
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QMessageBox) and widget.isVisible() and widget.objectName() == "errorDialog":
                self.messages.append(widget.text())
                widget.accept()
            if isinstance(widget, MainWindow) and widget.isVisible() and self.window is None:
                service = widget.service
                self.window = Shown(widget.windowTitle(), service.annotator, service.project.engine.url.password)
                widget.close()
                if [w for w in QApplication.topLevelWidgets() if w.isVisible()]:
                    QApplication.exit(0)  # another test's window is still open: it was not the last one

    def run(self) -> int:
        poll = QTimer()
        poll.timeout.connect(self._answer)
        poll.start(30)
        try:
            return app_module.run(self.root)
        finally:
            poll.stop()


def test_a_member_types_a_wrong_then_the_right_password_and_works_as_their_login(
    qtbot: QtBot,
    team: Team,
    monkeypatch: pytest.MonkeyPatch,
    isolated_settings: Path,  # noqa: F811  (the fixture imported above)
) -> None:
    name = team.add("ann1", "annotator")
    as_member(team, "ann1", monkeypatch)  # the URL names the role, no password: the server asks for one
    WindowSettings().annotator = "someone typed earlier"  # a SQLite project's name: not this one's
    opening = Opening(qtbot, team.root, [type_password(WRONG), type_password(PASSWORD)])
    assert opening.run() == 0
    assert len(opening.seen) == 2 and opening.masked == [True, True] and opening.messages == []
    assert opening.problems[0] == ""
    assert "Wrong password for" in opening.problems[1] and "password authentication failed" in opening.problems[1]
    window = opening.window
    assert window is not None and window.annotator == name
    assert window.title.endswith(f"— {name} · annotator")
    assert window.password_in_engine == PASSWORD  # in memory, in the engine's URL object
    settings_text = "".join(path.read_text(errors="replace") for path in isolated_settings.rglob("*") if path.is_file())
    assert PASSWORD not in settings_text and WRONG not in settings_text
    assert WindowSettings().annotator == "someone typed earlier"  # the login is not remembered as a typed name
    assert PASSWORD not in (team.root / "project.yaml").read_text(encoding="utf-8")


def test_the_role_can_be_changed_in_the_dialog_when_the_url_names_none(
    qtbot: QtBot, team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = team.add("rev1", "reviewer")
    admin = make_url(team.admin_url)
    url = URL.create(admin.drivername, host=admin.host, port=admin.port, database=admin.database)  # no user
    monkeypatch.setenv(DATABASE_URL_VARIABLE, url.render_as_string(hide_password=False))
    monkeypatch.setenv("PGUSER", "not_a_role_here")  # libpq's role without a user in the URL
    opening = Opening(qtbot, team.root, [type_password(PASSWORD, role=name)])
    assert opening.run() == 0
    assert len(opening.seen) == 1, opening.messages
    assert opening.window is not None and opening.window.title.endswith(f"— {name} · reviewer")


def test_cancel_closes_cleanly_with_exit_1_and_no_other_dialog(
    qtbot: QtBot, team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    team.add("ann1", "annotator")
    as_member(team, "ann1", monkeypatch)
    opening = Opening(qtbot, team.root, [cancel])
    assert opening.run() == 1
    assert len(opening.seen) == 1 and opening.window is None and opening.messages == []


@pytest.mark.parametrize("case", ["not a member", "removed", "server down"])
def test_each_failure_is_one_dialog_with_one_message(
    qtbot: QtBot, team: Team, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    team.add("ann1", "annotator")
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    from annotator.team.members import remove_member

    admin = create_engine(team.admin_url, poolclass=NullPool)
    expected = {
        "not a member": "it is not a member of this team",
        "removed": "may not log in (removed from the team?)",
        "server down": "cannot reach the database server",
    }[case]
    try:
        if case == "not a member":
            outsider = f"outsider_{team.suffix}"
            with admin.begin() as connection:
                connection.execute(text(f"CREATE ROLE \"{outsider}\" LOGIN PASSWORD '{PASSWORD}'"))
            team.members["outsider"] = outsider
            as_member(team, "outsider", monkeypatch, PASSWORD)
        elif case == "removed":
            remove_member(admin, team.members["ann1"])
            as_member(team, "ann1", monkeypatch, PASSWORD)
        else:
            import socket

            with socket.socket() as probe:
                probe.bind(("127.0.0.1", 0))
                port = probe.getsockname()[1]
            url = make_url(team.admin_url).set(username=team.members["ann1"], password=PASSWORD, port=port)
            monkeypatch.setenv(DATABASE_URL_VARIABLE, url.render_as_string(hide_password=False))
    finally:
        admin.dispose()
    opening = Opening(qtbot, team.root, [])
    assert opening.run() == 1
    assert opening.window is None and opening.seen == []
    assert len(opening.messages) == 1 and expected in opening.messages[0], opening.messages
    assert "\n" not in opening.messages[0] and PASSWORD not in opening.messages[0]


def test_postgresql_without_a_team_keeps_the_typed_name(
    qtbot: QtBot, fresh_schema: str, project_folder: FolderMaker
) -> None:
    root = project_folder("no-team", fresh_schema)
    WindowSettings().annotator = "alice"
    opening = Opening(qtbot, root, [])
    assert opening.run() == 0
    assert opening.window is not None and opening.window.annotator == "alice"
    assert opening.window.title.endswith("— alice")
