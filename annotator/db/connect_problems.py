"""Why a database server would not let us in, as one line a user can act on.

libpq's messages name the symptom ("fe_sendauth: no password supplied", "permission denied
for database"), not what to do. A team's members meet these on their first connect (no
password yet, a wrong one, not added, removed), so each gets its own message; the window
asks for a password on the two that mean one is wanted (``PasswordNeeded``).
"""

from __future__ import annotations

import getpass
import os
import re

from sqlalchemy.engine import URL

from annotator.errors import ProjectError

NO_PASSWORD = "no password supplied"
WRONG_PASSWORD = "password authentication failed"
_QUOTED_USER = re.compile(r'for user "([^"]*)"')


class PasswordNeeded(ProjectError):
    """The server wants a password for ``role``: none was given (``wrong`` False) or it was wrong."""

    def __init__(self, message: str, role: str, wrong: bool, server_message: str) -> None:
        super().__init__(message)
        self.role = role
        self.wrong = wrong
        self.server_message = server_message


def login_role(url: URL) -> str:
    """The role libpq logs in as: the URL's user, else PGUSER, else the operating system's login name."""
    if url.username:
        return url.username
    if os.environ.get("PGUSER"):
        return os.environ["PGUSER"]
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "?"


def connect_problem(shown: str, url: URL, message: str) -> ProjectError:
    """The error for a failed connection; ``shown`` is the URL as messages show it (no password)."""
    server = _server_message(message)
    lowered = server.lower()
    role = login_role(url)
    database = url.database or role
    where = f"{url.host or 'localhost'}:{url.port or 5432}"
    if NO_PASSWORD in lowered:
        return PasswordNeeded(
            f"{shown}: the server wants a password for role {role!r}: set PGPASSWORD, add the line "
            f"'{where}:{database}:{role}:PASSWORD' to ~/.pgpass (chmod 600), or put it in the URL "
            f"(ANNOTATOR_DATABASE_URL=postgresql+psycopg://{role}:PASSWORD@{where}/{database})",
            role,
            False,
            server,
        )
    if WRONG_PASSWORD in lowered:
        named = _QUOTED_USER.search(server)
        role = named.group(1) if named else role
        return PasswordNeeded(
            f"{shown}: wrong password for role {role!r} (or no such role): check PGPASSWORD, ~/.pgpass or the "
            "URL; a team's admin sets a new one with 'annotator team add PROJECT NAME --role ROLE --password-stdin'",
            role,
            True,
            server,
        )
    if "permission denied for database" in lowered:
        return ProjectError(
            f"{shown}: role {role!r} may not connect to database {database!r}: it is not a member of this "
            f"team; ask the team's admin to add it (annotator team add PROJECT {role} --role annotator)"
        )
    if "is not permitted to log in" in lowered:
        return ProjectError(
            f"{shown}: role {role!r} may not log in (removed from the team?); ask the team's admin "
            f"(annotator team add PROJECT {role} --role ROLE brings a member back)"
        )
    if re.search(r'role "[^"]*" does not exist', server):
        return ProjectError(
            f"{shown}: the server has no role {role!r}: ask the team's admin to add you (annotator team add), "
            "or connect as your role (the user in the URL, or PGUSER)"
        )
    if re.search(r'database "[^"]*" does not exist', server):
        return ProjectError(
            f"{shown}: the server has no database {database!r}: create it first (createdb {database}), "
            "or fix the URL (project.yaml 'database:' or ANNOTATOR_DATABASE_URL)"
        )
    if "connection refused" in lowered or "failed to resolve host" in lowered or "timeout expired" in lowered:
        return ProjectError(
            f"{shown}: cannot reach the database server at {where} ({server}): is PostgreSQL running there, "
            "and is the host and port in the URL right?"
        )
    if "locked" in lowered:
        return ProjectError(f"{shown}: the database is locked by another program; close it and retry")
    return ProjectError(f"{shown}: cannot open database: {server}")


def _server_message(message: str) -> str:
    """libpq's message as one line, without psycopg's "connection failed: connection to server at
    ... failed:" preamble, the FATAL tag, its hints and SQLAlchemy's link."""
    lines = [line.strip() for line in message.splitlines()]
    kept = [
        line
        for line in lines
        if line and not line.startswith(("(Background on this error", "Is the server running", "DETAIL:", "HINT:"))
    ]
    text = " ".join(kept)
    text = re.sub(r"^(\(\S+\)\s*)?(connection failed: )?connection to server (at|on) .*? failed: ", "", text)
    return re.sub(r"^FATAL:\s+", "", text).strip()
