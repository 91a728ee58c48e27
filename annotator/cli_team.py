"""`annotator team init | add | list | remove`: a team's members on the project's PostgreSQL database.

Each runs against the project's database URL (project.yaml `database:` or ANNOTATOR_DATABASE_URL),
as whoever that URL (or PGUSER, ~/.pgpass) logs in as. init, add and remove make and change
roles, so they need a superuser or a role with CREATEROLE; list is for every member. The work
itself is annotator/team/ (setup.py, members.py); here are the command line, the checks that
come first (PostgreSQL? rights?) and what is printed.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from annotator.cli_console import out
from annotator.cli_errors import name_in
from annotator.errors import ProjectError, RefusedError, ValidationError
from annotator.team.roles import ROLES

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.engine import URL

    from annotator.project import Project
    from annotator.team.identity import TeamLogin

NEEDS_POSTGRES = "a team needs PostgreSQL: point 'database:' in project.yaml (or ANNOTATOR_DATABASE_URL) at a server"


def add_team_command(commands: Any) -> None:
    """The `team` sub-command and its own sub-commands, on the parser's sub-commands."""
    team = commands.add_parser("team", help="a team on one PostgreSQL server: set it up, add, list, remove members")
    team_commands = team.add_subparsers(dest="team_command", metavar="SUBCOMMAND", required=True)

    init = team_commands.add_parser(
        "init", help="make the project's database a team's: roles, grants, row-level security (run again at will)"
    )
    init.add_argument("project", type=Path)
    seeing = init.add_mutually_exclusive_group()
    seeing.add_argument(
        "--annotators-see-others",
        dest="see_others",
        action="store_const",
        const=True,
        help="annotators may read each other's layers",
    )
    seeing.add_argument(
        "--blind",
        dest="see_others",
        action="store_const",
        const=False,
        help="annotators read only their own layers (the default of a new team; for agreement studies)",
    )
    init.set_defaults(run=cmd_team_init, see_others=None)

    add = team_commands.add_parser(
        "add", help="add a member (a login role of the database), or change a member's role or password"
    )
    add.add_argument("project", type=Path)
    add.add_argument("name", help="the member's login, and their layer's name")
    add.add_argument("--role", required=True, type=name_in(ROLES, "role"), help=" | ".join(ROLES))
    add.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from standard input (default: a new member gets a generated one, printed once)",
    )
    add.set_defaults(run=cmd_team_add)

    listing = team_commands.add_parser("list", help="the team's members: name, role, whether they can log in")
    listing.add_argument("project", type=Path)
    listing.set_defaults(run=cmd_team_list)

    remove = team_commands.add_parser("remove", help="revoke a member's login and rights; their layer stays")
    remove.add_argument("project", type=Path)
    remove.add_argument("name")
    remove.set_defaults(run=cmd_team_remove)


def cmd_team_init(args: argparse.Namespace) -> int:
    from annotator.team.identity import read_team
    from annotator.team.setup import init_team

    _check_may_manage(args.project, "set up a team", "init")
    with _open(args.project) as project, _refusals():
        prefix = init_team(project.engine, see_others=args.see_others)
        team = read_team(project.engine)
        assert team is not None
    database = project.engine.url.database
    seeing = (
        "annotators read each other's layers" if team.see_others else "blind: annotators read only their own layers"
    )
    out.print(f"team of database {database!r} set up ({seeing}); group roles {prefix}_admin|reviewer|annotator")
    out.print(f"next: annotator team add {args.project} NAME --role annotator|reviewer|admin")
    return 0


def cmd_team_add(args: argparse.Namespace) -> int:
    from annotator.team.members import add_member, check_password
    from annotator.team.roles import check_member_name

    check_member_name(args.name)
    password = _password_from_stdin() if args.password_stdin else None
    if password is not None:
        check_password(password)
    _check_may_manage(args.project, "add team members", "add")
    with _open(args.project) as project, _refusals():
        _read_team(project)
        generated = add_member(project.engine, args.name, args.role, password)
        url = project.engine.url
    out.print(f"{args.name} is a member of the team as {args.role}")
    if generated is not None:
        out.print(f"password of {args.name} (shown this once; pass it on privately): {generated}")
    elif password is None:
        out.print(f"{args.name} keeps the password they had (give --password-stdin to set a new one)")
    for line in connection_help(url, args.name, generated):
        out.print(line)
    return 0


def cmd_team_list(args: argparse.Namespace) -> int:
    from annotator.team.members import list_members

    with _open(args.project) as project, _refusals():
        team = _read_team(project)
        members = list_members(project.engine)
    seeing = (
        "annotators read each other's layers" if team.see_others else "blind: annotators read only their own layers"
    )
    out.print(f"{len(members)} member(s) ({seeing})")
    rows = [("name", "role", "can log in"), *((m.name, m.role, "yes" if m.can_log_in else "no") for m in members)]
    widths = [max(len(row[column]) for row in rows) for column in range(2)]
    for name, role, active in rows:
        out.print(f"{name.ljust(widths[0])}  {role.ljust(widths[1])}  {active}")
    return 0


def cmd_team_remove(args: argparse.Namespace) -> int:
    from annotator.team.members import remove_member

    _check_may_manage(args.project, "remove team members", "remove")
    with _open(args.project) as project, _refusals():
        _read_team(project)
        remove_member(project.engine, args.name)
    out.print(f"{args.name} can no longer log in; their layer stays (annotator team add brings them back)")
    return 0


def _seeing(see_others: bool) -> str:
    return "annotators read each other's layers" if see_others else "blind: annotators read only their own layers"


def connection_help(url: URL, name: str, password: str | None) -> list[str]:
    """How a member connects: PGUSER and a ~/.pgpass line, or the URL, or the window's login dialog."""
    shown = password if password is not None else "PASSWORD"
    host, port = url.host or "localhost", url.port or 5432
    pgpass = ":".join(_pgpass_field(field) for field in (host, str(port), url.database or "*", name, shown))
    member_url = url.set(username=name, password=shown).render_as_string(hide_password=False)
    return [
        f"{name} connects with PGUSER={name} and the line {pgpass} in ~/.pgpass (chmod 600),",
        f"  or ANNOTATOR_DATABASE_URL={shlex.quote(member_url)},",
        "  or types the password in the window's login dialog; project.yaml keeps no password",
    ]


def _pgpass_field(value: str) -> str:
    return value.replace("\\", "\\\\").replace(":", "\\:")


def _password_from_stdin() -> str:
    text = sys.stdin.read()
    password = text[:-2] if text.endswith("\r\n") else text[:-1] if text.endswith("\n") else text
    if not password:
        raise ValidationError(
            "--password-stdin: standard input holds no password "
            "(e.g. printf '%s' \"$PASSWORD\" | annotator team add ...)"
        )
    return password


@contextmanager
def _open(project_dir: Path) -> Iterator[Project]:
    from annotator.project import Project

    _require_postgres(project_dir)
    with Project.open(project_dir) as project:
        yield project


def _require_postgres(project_dir: Path) -> None:
    from sqlalchemy.engine import make_url

    from annotator.config import load_project_config

    config = load_project_config(project_dir)
    if make_url(config.database_url).get_backend_name() != "postgresql":
        raise ProjectError(f"{project_dir}: {NEEDS_POSTGRES}")


def _read_team(project: Project) -> TeamLogin:
    if project.team is None:
        raise ProjectError(f"{project.config.root}: this database has no team yet: run 'annotator team init' first")
    return project.team


def _check_may_manage(project_dir: Path, what: str, command: str) -> None:
    """Refuse before anything changes when the URL's role may not make roles (a superuser's or CREATEROLE's job)."""
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    from annotator.config import load_project_config
    from annotator.db.connect_problems import connect_problem
    from annotator.db.engine import make_engine
    from annotator.project import shown_url

    _require_postgres(project_dir)
    config = load_project_config(project_dir)
    engine: Engine = make_engine(config.database_url)
    try:
        with engine.connect() as connection:
            row = connection.execute(
                text("SELECT rolsuper OR rolcreaterole, current_user FROM pg_roles WHERE rolname = current_user")
            ).one()
    except OperationalError as error:
        raise connect_problem(shown_url(config), engine.url, str(error.orig or error)) from error
    finally:
        engine.dispose()
    if not row[0]:
        raise ProjectError(
            f"{shown_url(config)}: role {row[1]!r} may not {what}: run 'annotator team {command}' as a superuser "
            "or a role with CREATEROLE (the user in the project's URL, PGUSER, or ANNOTATOR_DATABASE_URL)"
        )


@contextmanager
def _refusals() -> Iterator[None]:
    """PostgreSQL's "permission denied" (a role without the rights a step needs) as one error line."""
    from sqlalchemy.exc import DBAPIError

    from annotator.team.identity import INSUFFICIENT_PRIVILEGE, refusal, sqlstate

    try:
        yield
    except DBAPIError as error:
        if sqlstate(error) != INSUFFICIENT_PRIVILEGE:
            raise
        raise RefusedError(f"{refusal(error)}: your role may not do this; ask the team's admin") from error
