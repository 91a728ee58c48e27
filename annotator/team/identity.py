"""Who the connected role is on a team database: the annotator's name is the database login.

SQLite projects and PostgreSQL databases that `annotator team init` has not set up have no
team: there the annotator's name is typed, as before (one desktop; the OS guards the file).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from annotator.errors import ProjectError, ValidationError

# SQLSTATE of "permission denied" and of a row-level security policy's refusal.
INSUFFICIENT_PRIVILEGE = "42501"


@dataclass(frozen=True)
class TeamLogin:
    prefix: str  # of the team's group roles (team/roles.py)
    see_others: bool  # whether annotators read each other's layers
    login: str  # current_user: the member's role, and their layer's name
    kind: str  # 'admin', 'reviewer', 'annotator' or 'none' (annotator_team_kind())

    @property
    def sees_everything(self) -> bool:
        """Reviewers and admins see every document and layer; annotators their queue."""
        return self.kind in ("admin", "reviewer")


def read_team(engine: Engine) -> TeamLogin | None:
    """The team and the connected role's place in it; None where there is no team."""
    if engine.dialect.name != "postgresql":
        return None
    try:
        with engine.connect() as connection:
            row = connection.execute(text("SELECT group_prefix, annotators_see_others, current_user FROM team")).first()
            if row is None:  # not a team's database: annotator_team_kind() is not there either
                return None
            kind = connection.execute(text("SELECT annotator_team_kind()")).scalar_one()
    except DBAPIError as error:
        if sqlstate(error) == INSUFFICIENT_PRIVILEGE:
            raise ProjectError(
                f"{refusal(error)}: ask the team's admin to add you (annotator team add NAME)"
            ) from error
        raise
    return TeamLogin(row[0], bool(row[1]), row[2], kind)


def sqlstate(error: DBAPIError) -> str | None:
    return getattr(error.orig, "sqlstate", None)


def first_line(error: DBAPIError) -> str:
    """The driver's message of an error, its first line only (psycopg adds hints on later lines)."""
    message = str(error.orig) if error.orig is not None else str(error)
    return (message.strip().splitlines() or [""])[0]


def refusal(error: DBAPIError) -> str:
    """PostgreSQL's refusal as one line: 'the database refuses: permission denied for table spans'."""
    return f"the database refuses: {first_line(error)}"


def working_name(team: TeamLogin | None, asked: str | None) -> str | None:
    """The layer a service edits: on a team database the login's own, whatever was typed or remembered
    (an explicit other name is refused, not silently ignored); elsewhere the name asked for."""
    if team is None:
        return asked
    if asked is not None and asked != team.login:
        raise ProjectError(
            f"on this team's database you work as the role you log in as ({team.login!r}), not {asked!r}: "
            "to work as another, connect as them (the user in the URL, PGUSER or ~/.pgpass)"
        )
    if team.kind == "none":
        raise ProjectError(f"role {team.login!r} is not a member of this team: ask its admin (annotator team add)")
    return team.login


def check_may_edit_layer(team: TeamLogin | None, name: str) -> None:
    """Say before the first edit what the database would refuse at it: gold is for reviewers and admins."""
    if team is not None and name != team.login and not team.sees_everything:
        raise ValidationError(
            f"{team.login!r} is an annotator of this team: only its reviewers and admins write the {name!r} layer"
        )
