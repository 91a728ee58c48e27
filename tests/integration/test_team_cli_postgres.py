"""`annotator team init | add | list | remove` and every way a member can be turned away, run as
processes (`python main.py ...`) against a team database: one `error:` line, exit 1, no traceback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from annotator.config import DATABASE_URL_VARIABLE
from annotator.errors import RefusedError
from annotator.project import Project
from annotator.service import AnnotationService
from tests.conftest import REPO
from tests.integration.conftest import FolderMaker
from tests.integration.team_fixtures import PASSWORD, Team

pytestmark = pytest.mark.postgres
TEXT = "Alice met Bob in Paris."


def run(*argv: str, url: str | None = None, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """`annotator ARGV` as a process; ``url``: as whom (ANNOTATOR_DATABASE_URL), else project.yaml's."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    environment.pop(DATABASE_URL_VARIABLE, None)
    environment["PGPASSFILE"] = "/nonexistent/pgpass"  # the machine's ~/.pgpass must not answer for anyone
    if url is not None:
        environment[DATABASE_URL_VARIABLE] = url
    return subprocess.run(
        [sys.executable, "main.py", *argv],
        cwd=REPO,
        env=environment,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, result
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr and PASSWORD not in result.stderr
    return result.stderr


def member_url(team: Team, short: str, password: str | None = PASSWORD, port: int | None = None) -> str:
    url = make_url(team.admin_url).set(username=team.members[short], password=password)
    if port is not None:
        url = url.set(port=port)
    return url.render_as_string(hide_password=False)


def test_init_add_list_remove_as_the_superuser(team: Team) -> None:
    root = str(team.root)
    init = run("team", "init", root, "--annotators-see-others")
    assert init.returncode == 0 and "annotators read each other's layers" in init.stdout, init
    assert run("team", "init", root).returncode == 0  # again: the setting stays
    name = f"ann1_{team.suffix}"
    team.members["ann1"] = name  # dropped by the fixture
    added = run("team", "add", root, name, "--role", "annotator")
    assert added.returncode == 0, added
    password = added.stdout.split("(shown this once; pass it on privately): ")[1].split()[0]
    assert f"PGUSER={name}" in added.stdout and f":{name}:{password} in ~/.pgpass" in added.stdout
    # The URL it prints is the member's way in.
    printed_url = added.stdout.split("ANNOTATOR_DATABASE_URL=")[1].split(",\n")[0]
    listed = run("team", "list", root, url=printed_url)
    assert listed.returncode == 0 and "annotators read each other's layers" in listed.stdout
    assert [line.split() for line in listed.stdout.splitlines()[2:]] == [[name, "annotator", "yes"]]
    # A password from standard input, with spaces and a colon; the role changes to reviewer.
    changed = run("team", "add", root, name, "--role", "reviewer", "--password-stdin", stdin="a pass:word\n")
    assert changed.returncode == 0 and "a pass:word" not in changed.stdout
    admin = make_url(team.admin_url)  # keywords, not a URL: a URL's password needs its spaces percent-encoded
    with psycopg.connect(host=admin.host, port=admin.port, dbname=admin.database, user=name, password="a pass:word"):
        pass
    removed = run("team", "remove", root, name)
    assert removed.returncode == 0 and "layer stays" in removed.stdout
    listed = run("team", "list", root)
    assert [line.split() for line in listed.stdout.splitlines()[2:]] == [[name, "reviewer", "no"]]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _outsider(team: Team, pg_admin: Engine) -> str:
    """A login role of the server that is no member of the team."""
    name = f"outsider_{team.suffix}"
    with pg_admin.connect() as connection:
        connection.execute(text(f"CREATE ROLE \"{name}\" LOGIN PASSWORD '{PASSWORD}'"))
    team.members["outsider"] = name
    return member_url(team, "outsider")


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("no password", "the server wants a password for role 'ann1_"),
        ("wrong password", "wrong password for role 'ann1_"),
        ("server down", "cannot reach the database server at 127.0.0.1:"),
        ("not a member", "it is not a member of this team; ask the team's admin to add it"),
        ("removed member", "may not log in (removed from the team?)"),
        ("annotator adds", "role 'ann1_"),
        ("annotator inits", "may not set up a team"),
        ("annotator removes", "may not remove team members"),
        ("annotator imports", "the database refuses: permission denied for table documents"),
        ("reviewer adds", "may not add team members"),
        ("unknown member removed", "is not a member of this team"),
        ("reserved name", "team member name 'gold' is reserved"),
    ],
)
def test_every_bad_login_or_right_is_one_error_line(
    team: Team, pg_admin: Engine, tmp_path: Path, case: str, expected: str
) -> None:
    team.add("ann1", "annotator")
    team.add("rev1", "reviewer")
    root = str(team.root)
    stats = ("stats", root)
    argv, url = {
        "no password": (stats, member_url(team, "ann1", password=None)),
        "wrong password": (("export", root, "-o", "-"), member_url(team, "ann1", password="wrong")),
        "server down": (stats, member_url(team, "ann1", port=_free_port())),
        "not a member": (stats, None),
        "removed member": (stats, member_url(team, "ann1")),
        "annotator adds": (("team", "add", root, "x1", "--role", "annotator"), member_url(team, "ann1")),
        "annotator inits": (("team", "init", root), member_url(team, "ann1")),
        "annotator removes": (("team", "remove", root, team.members["rev1"]), member_url(team, "ann1")),
        "annotator imports": (("import", root, str(tmp_path / "a.txt")), member_url(team, "ann1")),
        "reviewer adds": (("team", "add", root, "x1", "--role", "annotator"), member_url(team, "rev1")),
        "unknown member removed": (("team", "remove", root, "nobody"), None),
        "reserved name": (("team", "add", root, "gold", "--role", "annotator"), None),
    }[case]
    if case == "not a member":
        url = _outsider(team, pg_admin)
    if case == "removed member":
        assert run("team", "remove", root, team.members["ann1"]).returncode == 0
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    line = one_error_line(run(*argv, url=url))
    assert expected in line
    if case == "annotator adds":
        assert "may not add team members: run 'annotator team add' as a superuser or a role with CREATEROLE" in line


def test_a_team_command_before_team_init_says_to_run_it(fresh_database: object, project_folder: FolderMaker) -> None:
    root = project_folder("no-team", fresh_database())  # type: ignore[operator]
    line = one_error_line(run("team", "list", str(root)))
    assert "has no team yet: run 'annotator team init' first" in line


def test_an_annotator_writing_gold_is_refused_by_the_database_as_an_error_of_its_own(
    team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    team.add("ann1", "annotator")
    with Project.open(team.root) as project, project.engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO documents (project_id, external_id, text, text_length, sha256, meta) "
            f"VALUES ({project.id}, 'd1', '{TEXT}', {len(TEXT)}, 'x', '{{}}')"
        )
    from annotator.team.assign import assign_documents

    with Project.open(team.root) as project:  # on a team an annotator's list is their queue
        assign_documents(project, [team.members["ann1"]], 1)
    monkeypatch.setenv(DATABASE_URL_VARIABLE, team.url("ann1"))
    with AnnotationService.open(team.root) as service:
        document = service.documents()[0].id
        service.add_span(document, 0, 5, "ACTOR")  # their own layer: fine
        # The service says no before the database must (edit_layer); past that, the database refuses.
        monkeypatch.setattr("annotator.service.check_may_edit_layer", lambda _team, _name: None)
        service.edit_layer("gold")
        with pytest.raises(RefusedError, match="the database refuses: new row violates row-level security"):
            service.add_span(document, 10, 13, "ACTOR")
        service.edit_layer(service.user)
        assert [(s.start, s.end) for s in service.document(document).spans] == [(0, 5)]


def test_a_lead_with_createrole_on_their_own_database_sets_up_and_runs_the_team(
    pg_admin: Engine, project_folder: FolderMaker, capsys: pytest.CaptureFixture[str]
) -> None:
    """README "Team server": a lead who is no superuser (CREATEROLE, owner of the database) becomes its admin."""
    from annotator.cli import main
    from annotator.team.roles import GROUP_KINDS, group_role

    suffix = uuid.uuid4().hex[:6]
    lead, database, member = f"lead_{suffix}", f"team_{suffix}", f"ann1_{suffix}"
    with pg_admin.connect() as connection:
        connection.execute(text(f"CREATE ROLE \"{lead}\" LOGIN CREATEROLE PASSWORD '{PASSWORD}'"))
        connection.execute(text(f'CREATE DATABASE "{database}" OWNER "{lead}" TEMPLATE template0'))
    url = make_url(pg_admin.url).set(username=lead, password=PASSWORD, database=database)
    root = project_folder("lead-project", url.render_as_string(hide_password=False))
    try:
        assert main(["team", "init", str(root)]) == 0
        assert main(["team", "add", str(root), member, "--role", "annotator"]) == 0
        assert main(["team", "list", str(root)]) == 0
        listed = capsys.readouterr().out.splitlines()
        assert listed[-1].split() == [member, "annotator", "yes"]
        with Project.open(root) as project:
            assert project.team is not None and project.team.kind == "admin" and project.team.login == lead
    finally:
        with pg_admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
            for role in (member, *(group_role(database, kind) for kind in GROUP_KINDS), lead):
                connection.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
