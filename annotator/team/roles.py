"""The PostgreSQL roles of a team database, and the names a team member may have.

Roles belong to the whole server, so two team databases on one server must not share their
group roles (a reviewer of one would be a reviewer of both): each database's groups are named
from the database's own name, `<prefix>_owner` (owns the tables; nobody logs in as it),
`<prefix>_admin`, `<prefix>_reviewer`, `<prefix>_annotator`.
"""

from __future__ import annotations

import hashlib
import re
from typing import Literal, get_args

from annotator.errors import ValidationError

Role = Literal["annotator", "reviewer", "admin"]
ROLES: tuple[Role, ...] = get_args(Role)
GROUP_KINDS = ("owner", "admin", "reviewer", "annotator")

# A member's name is a PostgreSQL login role and an annotator's layer name. Kept to what needs no
# quoting anywhere a lead types it: a libpq URL, ~/.pgpass, `--annotators a,b,c`, a file name.
MEMBER_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.@-]{0,62}$")
# Layers that are not people, and names PostgreSQL keeps for itself.
RESERVED_NAMES = {"gold", "model", "reference", "public", "postgres", "none", "current_user", "session_user"}


def group_prefix(database: str) -> str:
    """`<prefix>` of a database's group roles: its name, lower case, letters, digits and _ only,
    and a short digest of the exact name when that changed it or it was long (names stay unique
    and within PostgreSQL's 63 characters with the longest suffix)."""
    plain = re.sub(r"[^a-z0-9_]", "_", database.lower())[:40]
    if plain == database and plain[:1].isalpha():
        return plain
    digest = hashlib.sha256(database.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"annotator_{plain[:30]}_{digest}"


def group_role(prefix: str, kind: str) -> str:
    return f"{prefix}_{kind}"


def check_member_name(name: str, prefix: str | None = None) -> None:
    if not MEMBER_NAME.match(name):
        raise ValidationError(
            f"team member name {name!r} is not usable: 1-63 letters, digits and _ . @ -, "
            "starting with a letter, digit or _"
        )
    lowered = name.lower()
    if lowered in RESERVED_NAMES or lowered.startswith("pg_"):
        raise ValidationError(f"team member name {name!r} is reserved; choose another")
    if prefix is not None and lowered in {group_role(prefix, kind) for kind in GROUP_KINDS}:
        raise ValidationError(f"team member name {name!r} is one of the team's group roles; choose another")


def check_role(role: str) -> Role:
    if role not in ROLES:
        raise ValidationError(f"unknown role {role!r}: one of {', '.join(ROLES)}")
    return role
