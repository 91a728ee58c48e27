"""ORM tables. Only the core touches these; the UI sees frozen dataclasses (models.py).

Nothing here is SQLite-only: types are portable (JSON maps to JSONB-compatible JSON on
PostgreSQL, TEXT on SQLite) and every constraint is standard SQL.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    CheckConstraint,
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
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Deterministic constraint names, so Alembic migrations can name them on every backend.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

STATUSES = ("todo", "in_progress", "done", "skipped")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    # Every class here is mapped by __tablename__, so its __table__ is a Table (SQLAlchemy types it as
    # the wider FromClause, which insert()/delete() and .insert() do not accept).
    __table__: ClassVar[Table]
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, datetime: DateTime(timezone=True)}


class ProjectRow(Base):
    __tablename__ = "projects"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    # The schema the project was last opened with; its text lives in schema_versions.
    schema_sha256: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class SchemaVersionRow(Base):
    __tablename__ = "schema_versions"
    __table_args__ = (UniqueConstraint("project_id", "sha256"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class DocumentRow(Base):
    __tablename__ = "documents"
    __table_args__ = (
        UniqueConstraint("project_id", "external_id"),
        UniqueConstraint("project_id", "sha256"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(255))
    # The exact text as imported: never normalised, offsets index into it.
    text: Mapped[str] = mapped_column(Text)
    # len(text), stored so listings need not read (or on PostgreSQL decompress) every text.
    text_length: Mapped[int] = mapped_column(default=0, server_default="0")
    sha256: Mapped[str] = mapped_column(String(64))
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class AnnotatorRow(Base):
    __tablename__ = "annotators"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class DocumentStatusRow(Base):
    """One annotator's progress on one document; no row means 'todo'."""

    __tablename__ = "document_status"
    __table_args__ = (CheckConstraint("status IN ('todo', 'in_progress', 'done', 'skipped')", name="status_known"),)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    annotator_id: Mapped[int] = mapped_column(ForeignKey("annotators.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    seconds_spent: Mapped[float] = mapped_column(Float, default=0.0)
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())


class SpanRow(Base):
    __tablename__ = "spans"
    __table_args__ = (
        UniqueConstraint("document_id", "annotator_id", "start", "end", "label"),
        CheckConstraint('start >= 0 AND "end" > start', name="offsets_ordered"),
        # Ids are never reused, so undo can restore a span under its old id and the
        # event log never points at the wrong span.
        {"sqlite_autoincrement": True},
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    annotator_id: Mapped[int] = mapped_column(ForeignKey("annotators.id", ondelete="CASCADE"))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class SpanAttributeRow(Base):
    __tablename__ = "span_attributes"
    span_id: Mapped[int] = mapped_column(ForeignKey("spans.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)


class RelationRow(Base):
    __tablename__ = "relations"
    __table_args__ = (
        UniqueConstraint("head_span_id", "tail_span_id", "label"),
        {"sqlite_autoincrement": True},
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    annotator_id: Mapped[int] = mapped_column(ForeignKey("annotators.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(String(100))
    head_span_id: Mapped[int] = mapped_column(ForeignKey("spans.id", ondelete="CASCADE"))
    tail_span_id: Mapped[int] = mapped_column(ForeignKey("spans.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class DocumentLabelRow(Base):
    __tablename__ = "document_labels"
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    annotator_id: Mapped[int] = mapped_column(ForeignKey("annotators.id", ondelete="CASCADE"), primary_key=True)
    label: Mapped[str] = mapped_column(String(100), primary_key=True)


class ReviewRejectionRow(Base):
    """A candidate span a reviewer rejected for a document's gold layer (annotator_id: that layer).

    Accepted candidates are gold's own spans; a rejection is the other decision worth keeping,
    so that a reviewed document says why an annotator's span is not in gold.
    """

    __tablename__ = "review_rejections"
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    annotator_id: Mapped[int] = mapped_column(ForeignKey("annotators.id", ondelete="CASCADE"), primary_key=True)
    start: Mapped[int] = mapped_column(Integer, primary_key=True)
    end: Mapped[int] = mapped_column(Integer, primary_key=True)
    label: Mapped[str] = mapped_column(String(100), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class EventRow(Base):
    """Append-only log of who did what and when: history, time tracking, audits."""

    __tablename__ = "events"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(server_default=func.now())
    annotator_id: Mapped[int | None] = mapped_column(ForeignKey("annotators.id", ondelete="SET NULL"))
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


Index("ix_relations_layer", RelationRow.document_id, RelationRow.annotator_id)
Index("ix_relations_tail", RelationRow.tail_span_id)
Index("ix_documents_project", DocumentRow.project_id, DocumentRow.id)
Index("ix_events_document", EventRow.document_id, EventRow.id)
