"""`annotator team ...` without a server: what it refuses before connecting, as one `error:` line
(run as a process); and the words for each way a server turns a login away (db/connect_problems.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from annotator.db.connect_problems import PasswordNeeded, connect_problem
from tests.conftest import REPO, ProjectMaker


def run(*argv: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "main.py", *argv], cwd=REPO, input=stdin, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("argv", "stdin", "expected"),
    [
        (("team", "init", "{p}"), None, "a team needs PostgreSQL"),
        (("team", "list", "{p}"), None, "a team needs PostgreSQL"),
        (("team", "add", "{p}", "ann1", "--role", "annotator"), None, "a team needs PostgreSQL"),
        (("team", "remove", "{p}", "ann1"), None, "a team needs PostgreSQL"),
        (
            ("team", "add", "{p}", "ann1", "--role", "annotater"),
            None,
            "unknown role 'annotater'; did you mean annotator?",
        ),
        (("team", "add", "{p}", "ann 1", "--role", "annotator"), None, "team member name 'ann 1' is not usable"),
        (("team", "add", "{p}", "pg_x", "--role", "annotator"), None, "team member name 'pg_x' is reserved"),
        (("team", "add", "{p}", "a", "--role", "admin", "--password-stdin"), "", "standard input holds no password"),
        (("team", "add", "{p}", "a", "--role", "admin", "--password-stdin"), "\n", "standard input holds no password"),
        (("team", "add", "{p}", "a", "--role", "admin", "--password-stdin"), "one\ntwo\n", "must be one line"),
        (("team", "frobnicate", "{p}"), None, "unknown command 'frobnicate'"),
        (("team", "init", "{p}", "--blind", "--annotators-see-others"), None, "not allowed with argument"),
    ],
)
def test_what_a_team_command_refuses_is_one_error_line(
    make_project: ProjectMaker, argv: tuple[str, ...], stdin: str | None, expected: str
) -> None:
    root = make_project()
    result = run(*(arg.replace("{p}", str(root)) for arg in argv), stdin=stdin)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
    assert expected in result.stderr and "Traceback" not in result.stderr


def test_the_sqlite_file_is_left_alone(make_project: ProjectMaker) -> None:
    root = make_project()
    before = sorted(path.name for path in Path(root).iterdir())
    assert run("team", "init", str(root)).returncode == 1
    assert sorted(path.name for path in Path(root).iterdir()) == before


URL = make_url("postgresql+psycopg://ann1@db.example:5433/news")
PREAMBLE = 'connection failed: connection to server at "10.0.0.1", port 5433 failed: '


@pytest.mark.parametrize(
    ("server_says", "expected", "asks_password"),
    [
        ("fe_sendauth: no password supplied", "the server wants a password for role 'ann1': set PGPASSWORD", True),
        ('FATAL:  password authentication failed for user "ann1"', "wrong password for role 'ann1'", True),
        (
            'FATAL:  permission denied for database "news"\nDETAIL:  User does not have CONNECT privilege.',
            "role 'ann1' may not connect to database 'news': it is not a member of this team",
            False,
        ),
        ('FATAL:  role "ann1" is not permitted to log in', "may not log in (removed from the team?)", False),
        ('FATAL:  role "ann1" does not exist', "the server has no role 'ann1'", False),
        ('FATAL:  database "news" does not exist', "create it first (createdb news)", False),
        (
            "Connection refused\n\tIs the server running on that host and accepting TCP/IP connections?",
            "cannot reach the database server at db.example:5433 (Connection refused): is PostgreSQL running",
            False,
        ),
    ],
)
def test_each_refused_login_says_what_to_do(server_says: str, expected: str, asks_password: bool) -> None:
    problem = connect_problem("SHOWN", URL, PREAMBLE + server_says)
    assert str(problem).startswith("SHOWN: ") and expected in str(problem)
    assert "\n" not in str(problem) and "FATAL" not in str(problem)
    assert isinstance(problem, PasswordNeeded) is asks_password
    if isinstance(problem, PasswordNeeded):
        assert problem.role == "ann1" and problem.wrong is ("wrong" in expected)
        assert problem.server_message == server_says.replace("FATAL:  ", "")


def test_without_a_user_in_the_url_the_role_is_pguser(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PGUSER", "rev2")
    problem = connect_problem("SHOWN", make_url("postgresql+psycopg://db/news"), "fe_sendauth: no password supplied")
    assert isinstance(problem, PasswordNeeded) and problem.role == "rev2"
    assert "'localhost:5432:news:rev2:PASSWORD' to ~/.pgpass" not in str(problem)  # the host is the URL's
    assert "'db:5432:news:rev2:PASSWORD' to ~/.pgpass" in str(problem)
