"""Opening a project in the window: logging in to a team's server, and whose layer it is.

The password the dialog takes lives in the project's engine (a URL object in memory) and
nowhere else: not in project.yaml, not in QSettings, not in a message (messages show the URL
through annotator.project.shown_url, which hides it).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDialog, QWidget

from annotator.errors import AnnotatorError

if TYPE_CHECKING:
    from annotator.project import Project
    from annotator.service import AnnotationService


class LoginCancelled(AnnotatorError):
    """The annotator closed the password dialog: the project stays closed, and nothing else is said."""


def open_project_logging_in(root: Path, parent: QWidget | None) -> Project:
    """Project.open, asking for the role's password while the server wants one (again after a wrong one)."""
    from annotator.db.connect_problems import PasswordNeeded
    from annotator.project import Project
    from ui.login_dialog import LoginDialog

    user: str | None = None
    password: str | None = None
    while True:
        try:
            return Project.open(root, user=user, password=password)
        except PasswordNeeded as needed:
            problem = f"Wrong password for {needed.role!r}. The server says: {needed.server_message}"
            dialog = LoginDialog(parent, server_name(root), needed.role, problem if needed.wrong else None)
            accepted = dialog.exec() == QDialog.DialogCode.Accepted
            user, password = dialog.role(), dialog.password()
            dialog.deleteLater()
            if not accepted:
                raise LoginCancelled(f"{root}: not opened: the login was cancelled") from None


def server_name(root: Path) -> str:
    """ "database news on db.lab.example:5432": where the password goes, without the URL's other parts."""
    from sqlalchemy.engine import make_url

    from annotator.config import load_project_config

    url = make_url(load_project_config(root).database_url)
    return f"database {url.database} on {url.host or 'localhost'}:{url.port or 5432}"


def identity(service: AnnotationService) -> str:
    """Who works in the window: the layer's name, and on a team's database the role ("ann1 · annotator")."""
    team = service.project.team
    return f"{service.user} · {team.kind}" if team is not None else service.user
