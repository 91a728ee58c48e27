"""The database's tables as SQLAlchemy Core `Table` objects: the one definition of the schema.

The ORM classes of tables.py are mapped onto these. A command that only reads (an export,
a count) builds its queries from these alone and never imports sqlalchemy.orm, whose import
and declarative mapping were a fifth of `annotator export`'s start-up.

Nothing here is SQLite-only: types are portable (JSON maps to JSONB-compatible JSON on
PostgreSQL, TEXT on SQLite) and every constraint is standard SQL.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
)

# Deterministic constraint names, so Alembic migrations can name them on every backend.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)


def _created(name: str = "created_at") -> Column[object]:
    return Column(name, DateTime(timezone=True), nullable=False, server_default=func.now())


def _reference(name: str, target: str, *, on_delete: str = "CASCADE", primary_key: bool = False) -> Column[int]:
    nullable = on_delete == "SET NULL"
    return Column(name, Integer, ForeignKey(target, ondelete=on_delete), nullable=nullable, primary_key=primary_key)


projects = Table(
    "projects",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    # The schema the project was last opened with; its text lives in schema_versions.
    Column("schema_sha256", String(64), nullable=True),
    _created(),
)

schema_versions = Table(
    "schema_versions",
    metadata,
    Column("id", Integer, primary_key=True),
    _reference("project_id", "projects.id"),
    Column("name", String(200), nullable=False),
    Column("version", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("text", Text, nullable=False),
    _created(),
    UniqueConstraint("project_id", "sha256"),
)

documents = Table(
    "documents",
    metadata,
    Column("id", Integer, primary_key=True),
    _reference("project_id", "projects.id"),
    Column("external_id", String(255), nullable=False),
    # The exact text as imported: never normalised, offsets index into it.
    Column("text", Text, nullable=False),
    # len(text), stored so listings need not read (or on PostgreSQL decompress) every text.
    Column("text_length", Integer, nullable=False, default=0, server_default="0"),
    Column("sha256", String(64), nullable=False),
    Column("meta", JSON, nullable=False, default=dict),
    _created(),
    UniqueConstraint("project_id", "external_id"),
    UniqueConstraint("project_id", "sha256"),
)

annotators = Table(
    "annotators",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False, unique=True),
    _created(),
)

# One annotator's progress on one document; no row means 'todo'.
document_status = Table(
    "document_status",
    metadata,
    _reference("document_id", "documents.id", primary_key=True),
    _reference("annotator_id", "annotators.id", primary_key=True),
    Column("status", String(16), nullable=False),
    Column("seconds_spent", Float, nullable=False, default=0.0),
    _created("updated_at"),
    CheckConstraint("status IN ('todo', 'in_progress', 'done', 'skipped')", name="status_known"),
)

spans = Table(
    "spans",
    metadata,
    Column("id", Integer, primary_key=True),
    _reference("document_id", "documents.id"),
    _reference("annotator_id", "annotators.id"),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("label", String(100), nullable=False),
    _created(),
    UniqueConstraint("document_id", "annotator_id", "start", "end", "label"),
    CheckConstraint('start >= 0 AND "end" > start', name="offsets_ordered"),
    # Ids are never reused, so undo can restore a span under its old id and the
    # event log never points at the wrong span.
    sqlite_autoincrement=True,
)

span_attributes = Table(
    "span_attributes",
    metadata,
    _reference("span_id", "spans.id", primary_key=True),
    Column("name", String(100), primary_key=True),
    Column("value", JSON, nullable=False),
)

relations = Table(
    "relations",
    metadata,
    Column("id", Integer, primary_key=True),
    _reference("document_id", "documents.id"),
    _reference("annotator_id", "annotators.id"),
    Column("label", String(100), nullable=False),
    _reference("head_span_id", "spans.id"),
    _reference("tail_span_id", "spans.id"),
    _created(),
    UniqueConstraint("head_span_id", "tail_span_id", "label"),
    sqlite_autoincrement=True,
)

document_labels = Table(
    "document_labels",
    metadata,
    _reference("document_id", "documents.id", primary_key=True),
    _reference("annotator_id", "annotators.id", primary_key=True),
    Column("label", String(100), primary_key=True),
)

# A candidate span a reviewer rejected for a document's gold layer (annotator_id: that layer).
# Accepted candidates are gold's own spans; a rejection is the other decision worth keeping,
# so that a reviewed document says why an annotator's span is not in gold (annotator/review.py).
review_rejections = Table(
    "review_rejections",
    metadata,
    _reference("document_id", "documents.id", primary_key=True),
    _reference("annotator_id", "annotators.id", primary_key=True),
    Column("start", Integer, primary_key=True),
    Column("end", Integer, primary_key=True),
    Column("label", String(100), primary_key=True),
    _created(),
)

# Spans a source proposes (annotator/suggest/): no layer's work until accepted, so kept apart
# from spans; one row per (document, source, span), replaced when the source runs again.
suggestions = Table(
    "suggestions",
    metadata,
    Column("id", Integer, primary_key=True),
    _reference("document_id", "documents.id"),
    Column("source", String(100), nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("label", String(100), nullable=False),
    Column("score", Float, nullable=False),
    Column("attributes", JSON, nullable=False, default=dict),
    _created(),
    UniqueConstraint("document_id", "source", "start", "end", "label"),
    CheckConstraint('start >= 0 AND "end" > start', name="offsets_ordered"),
    CheckConstraint("score >= 0 AND score <= 1", name="score_range"),
)

# Relations a source proposes, their ends named by offsets and label (either end may be a span of
# the layer or another suggestion; suggestion ids do not outlive a recomputation).
suggested_relations = Table(
    "suggested_relations",
    metadata,
    Column("id", Integer, primary_key=True),
    _reference("document_id", "documents.id"),
    Column("source", String(100), nullable=False),
    Column("label", String(100), nullable=False),
    Column("head_start", Integer, nullable=False),
    Column("head_end", Integer, nullable=False),
    Column("head_label", String(100), nullable=False),
    Column("tail_start", Integer, nullable=False),
    Column("tail_end", Integer, nullable=False),
    Column("tail_label", String(100), nullable=False),
    Column("score", Float, nullable=False),
    _created(),
    UniqueConstraint(
        "document_id",
        "source",
        "label",
        "head_start",
        "head_end",
        "head_label",
        "tail_start",
        "tail_end",
        "tail_label",
        # the convention's name (every column) is past PostgreSQL's 63 characters
        name="uq_suggested_relations_ends",
    ),
    CheckConstraint("score >= 0 AND score <= 1", name="score_range"),
)

# A suggested relation a layer rejected (annotator_id: that layer), named as suggested_relations
# names it, by its ends' offsets and labels: running the sources again does not bring it back.
relation_rejections = Table(
    "relation_rejections",
    metadata,
    _reference("document_id", "documents.id", primary_key=True),
    _reference("annotator_id", "annotators.id", primary_key=True),
    Column("label", String(100), primary_key=True),
    Column("head_start", Integer, primary_key=True),
    Column("head_end", Integer, primary_key=True),
    Column("head_label", String(100), primary_key=True),
    Column("tail_start", Integer, primary_key=True),
    Column("tail_end", Integer, primary_key=True),
    Column("tail_label", String(100), primary_key=True),
    _created(),
)

# A team database (annotator/team/): one row once `annotator team init` has set it up. Its
# group roles are named from group_prefix; whether annotators read each other's layers is
# kept here because the database's policies, not the service, enforce it.
team = Table(
    "team",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("group_prefix", String(50), nullable=False),
    Column("annotators_see_others", Boolean, nullable=False, default=False, server_default="0"),
    _created(),
    CheckConstraint("id = 1", name="one_row"),
)

# The layers that belong to a person of the team (a login role), with what that role may do.
# Layers without a row (gold, model, reference, imported names) belong to no one.
team_members = Table(
    "team_members",
    metadata,
    _reference("annotator_id", "annotators.id", primary_key=True),
    Column("role", String(16), nullable=False),
    _created(),
    CheckConstraint("role IN ('annotator', 'reviewer', 'admin')", name="role_known"),
)

# Which documents each annotator is to annotate (annotator assign); no rows: everyone sees all.
assignments = Table(
    "assignments",
    metadata,
    _reference("document_id", "documents.id", primary_key=True),
    _reference("annotator_id", "annotators.id", primary_key=True),
    _created(),
)

# Append-only log of who did what and when: history, time tracking, audits.
events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True),
    _created("at"),
    _reference("annotator_id", "annotators.id", on_delete="SET NULL"),
    _reference("document_id", "documents.id", on_delete="SET NULL"),
    Column("action", String(64), nullable=False),
    Column("detail", JSON, nullable=False, default=dict),
)

Index("ix_relations_layer", relations.c.document_id, relations.c.annotator_id)
Index("ix_relations_tail", relations.c.tail_span_id)
Index("ix_documents_project", documents.c.project_id, documents.c.id)
Index("ix_events_document", events.c.document_id, events.c.id)
Index("ix_assignments_annotator", assignments.c.annotator_id, assignments.c.document_id)
