"""The password dialog of a team's database: shown when the server asks for a password.

The role is shown (and may be changed: a shared project.yaml names no user, and the login
name of the desktop is not always the role); the password is masked. What the server said
about a wrong password is shown above the fields, as the server worded it.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget


class LoginDialog(QDialog):
    def __init__(self, parent: QWidget | None, server: str, role: str, problem: str | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("loginDialog")
        self.setWindowTitle("Log in to the team's database")
        intro = QLabel(f"The server asks for your password ({server}).")
        intro.setObjectName("loginServer")
        intro.setWordWrap(True)
        self.problem = QLabel(problem or "")
        self.problem.setObjectName("loginProblem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #b00020;")
        self.problem.setVisible(bool(problem))
        self.role_field = QLineEdit(role)
        self.role_field.setObjectName("loginRole")
        self.password_field = QLineEdit()
        self.password_field.setObjectName("loginPassword")
        self.password_field.setEchoMode(QLineEdit.EchoMode.Password)
        form = QFormLayout()
        form.addRow("Role (your login):", self.role_field)
        form.addRow("Password:", self.password_field)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Log in")
        buttons.accepted.connect(self._accept_if_filled)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.problem)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.setMinimumWidth(420)
        (self.password_field if role else self.role_field).setFocus()

    def role(self) -> str:
        return self.role_field.text().strip()

    def password(self) -> str:
        return self.password_field.text()

    def _accept_if_filled(self) -> None:
        if not self.role():
            self.role_field.setFocus()
            return
        if not self.password():
            self.password_field.setFocus()
            return
        self.accept()
