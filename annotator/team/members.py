"""`annotator team add | list | remove`: the team's members, each a PostgreSQL login role.

A member's layer is the annotators row of the same name; removing a member revokes their
login and their group (open sessions lose every right at once) and keeps their layer.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, text

from annotator.errors import NotFoundError, ProjectError, ValidationError
from annotator.team.roles import GROUP_KINDS, ROLES, Role, check_member_name, check_role, group_role

PASSWORD_BYTES = 18  # 24 URL-safe characters


@dataclass(frozen=True)
class Member:
    name: str
    role: str
    can_log_in: bool


def add_member(engine: Engine, name: str, role: str, password: str | None = None) -> str | None:
    """Add (or bring back, or change the role of) a member; returns the password it generated for
    a new role, None when it used ``password`` or kept an existing role's own."""
    kind = check_role(role)
    if password is not None:
        check_password(password)
    with engine.begin() as connection:
        prefix = _prefix(connection)
        check_member_name(name, prefix)
        if kind != "admin" and name == connection.execute(text("SELECT current_user")).scalar_one():
            raise ValidationError(
                f"{name!r} is the role you are connected as: giving it the {kind} role would take away the "
                "rights this very change needs; ask another admin (or the server's superuser)"
            )
        exists = _check_existing_role(connection, name)
        generated = None
        if not exists:
            generated = secrets.token_urlsafe(PASSWORD_BYTES) if password is None else None
            _run(connection, "CREATE ROLE {} LOGIN PASSWORD {}", name, password or generated)
        else:
            _run(connection, "ALTER ROLE {} LOGIN", name)
            if password is not None:
                _run(connection, "ALTER ROLE {} PASSWORD {}", name, password)
        _set_group(connection, prefix, name, kind)
        _set_role_rights(connection, name, kind)
        connection.execute(
            text("INSERT INTO annotators (name) VALUES (:name) ON CONFLICT (name) DO NOTHING"), {"name": name}
        )
        connection.execute(
            text(
                "INSERT INTO team_members (annotator_id, role) SELECT id, :role FROM annotators WHERE name = :name "
                "ON CONFLICT (annotator_id) DO UPDATE SET role = :role"
            ),
            {"name": name, "role": kind},
        )
    return generated


def remove_member(engine: Engine, name: str) -> None:
    """Revoke a member's login and group; their layer stays (and stays theirs: still blind to others)."""
    with engine.begin() as connection:
        prefix = _prefix(connection)
        member = connection.execute(
            text("SELECT 1 FROM team_members m JOIN annotators a ON a.id = m.annotator_id WHERE a.name = :name"),
            {"name": name},
        ).first()
        if member is None:
            raise NotFoundError(f"{name!r} is not a member of this team (annotator team list shows who is)")
        if name == connection.execute(text("SELECT current_user")).scalar_one():
            raise ValidationError(
                f"{name!r} is the role you are connected as: removing it would lock you out mid-way; "
                "ask another admin (or the server's superuser) to remove it"
            )
        _set_group(connection, prefix, name, None)
        superuser = connection.execute(text("SELECT rolsuper FROM pg_roles WHERE rolname = :name"), {"name": name})
        if superuser.scalar() is False:  # a superuser is the server's, not the team's to lock out
            _run(connection, "ALTER ROLE {} NOLOGIN", name)
            # A removed admin keeps no CREATEROLE: with it a session still open could grant itself
            # the admin group again (or make a new login that has it).
            _set_role_rights(connection, name, None)


def list_members(engine: Engine) -> list[Member]:
    with engine.connect() as connection:
        prefix = _prefix(connection)
        rows = connection.execute(
            text(
                "SELECT a.name, m.role, coalesce(r.rolcanlogin, false) AND EXISTS ("
                "  SELECT 1 FROM pg_auth_members g JOIN pg_roles gr ON gr.oid = g.roleid"
                "  WHERE g.member = r.oid AND gr.rolname = ANY(:groups))"
                " FROM team_members m JOIN annotators a ON a.id = m.annotator_id"
                " LEFT JOIN pg_roles r ON r.rolname = a.name ORDER BY a.name"
            ),
            {"groups": [group_role(prefix, kind) for kind in ROLES]},
        ).all()
    return [Member(name, role, bool(active)) for name, role, active in rows]


def check_password(password: str) -> None:
    if not password or any(character in password for character in "\x00\r\n"):
        raise ValidationError("the password must be one line, not empty, without NUL characters")
    try:  # bytes that are not UTF-8 arrive from stdin as surrogates: no login could type them back
        password.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError(
            "the password must be UTF-8 text (standard input held bytes that are not); choose another"
        ) from None


def _prefix(connection: Connection) -> str:
    prefix = connection.execute(text("SELECT group_prefix FROM team")).scalar()
    if prefix is None:
        raise ProjectError("this database has no team yet: run 'annotator team init PROJECT' first")
    return str(prefix)


def _set_group(connection: Connection, prefix: str, name: str, kind: Role | None) -> None:
    """Make ``name`` a member of exactly the group of ``kind`` (of none)."""
    for other in ROLES:
        if other != kind:
            _run(connection, "REVOKE {} FROM {}", group_role(prefix, other), name)
    if kind is not None:
        _run(connection, "GRANT {} TO {}", group_role(prefix, kind), name)
    assert "owner" in GROUP_KINDS  # the owner group is never a member's


def _check_existing_role(connection: Connection, name: str) -> bool:
    """Whether the role exists; refused if it is not a person's login this team may take over: a
    superuser (every team's admin already; a password set here would be the server's), or a role that
    cannot log in and was never this team's member (another team's group, a role of the server's own)."""
    row = connection.execute(
        text(
            "SELECT r.rolsuper, r.rolcanlogin, EXISTS (SELECT 1 FROM team_members m JOIN annotators a "
            "ON a.id = m.annotator_id WHERE a.name = r.rolname) FROM pg_roles r WHERE r.rolname = :name"
        ),
        {"name": name},
    ).first()
    if row is None:
        return False
    superuser, can_log_in, former_member = row
    if superuser:
        raise ValidationError(
            f"{name!r} is a superuser of the server: it is the admin of every team already; "
            "add a role of its own for the person's work"
        )
    if not can_log_in and not former_member:
        raise ValidationError(
            f"role {name!r} exists on the server and cannot log in (a group role, or another team's?): "
            "choose another name for the new member"
        )
    return True


def _set_role_rights(connection: Connection, name: str, kind: Role | None) -> None:
    """Admins add and remove members (roles): CREATEROLE; a member who is no longer an admin loses it
    (a superuser is left as is: the server's own administrator, not the team's to change)."""
    superuser = connection.execute(text("SELECT rolsuper FROM pg_roles WHERE rolname = :name"), {"name": name}).scalar()
    if not superuser:
        _run(connection, "ALTER ROLE {} CREATEROLE" if kind == "admin" else "ALTER ROLE {} NOCREATEROLE", name)


def _run(connection: Connection, template: str, *values: Any) -> None:
    """A statement with role names and a password, which PostgreSQL takes as identifiers and a
    literal (no parameters in CREATE ROLE): quoted by psycopg, never pasted."""
    from psycopg import sql

    driver = connection.connection.driver_connection
    parts: list[sql.Composable] = []
    for index, value in enumerate(values):
        is_password = "PASSWORD" in template and index == len(values) - 1
        parts.append(sql.Literal(value) if is_password else sql.Identifier(value))
    # exec_driver_sql hands psycopg an empty set of parameters, so psycopg reads '%' as the start of a
    # placeholder: a password's '%' is doubled (psycopg gives '%%' back as '%').
    connection.exec_driver_sql(sql.SQL(template).format(*parts).as_string(driver).replace("%", "%%"))
