"""ORM classes mapped onto the tables of core_tables.py. Only the core touches these; the UI sees
frozen dataclasses (models.py).

The columns, constraints and indexes are defined once, in core_tables.py, so that a command
that only reads needs no ORM; the annotations here type each class's attributes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import Table
from sqlalchemy.orm import DeclarativeBase, Mapped

from annotator.db import core_tables


class Base(DeclarativeBase):
    metadata = core_tables.metadata
    # Every class here is mapped onto a Table (SQLAlchemy types it as the wider FromClause,
    # which insert()/delete() and .insert() do not accept).
    __table__: ClassVar[Table]


class ProjectRow(Base):
    __table__ = core_tables.projects
    id: Mapped[int]
    name: Mapped[str]
    schema_sha256: Mapped[str | None]
    created_at: Mapped[datetime]


class SchemaVersionRow(Base):
    __table__ = core_tables.schema_versions
    id: Mapped[int]
    project_id: Mapped[int]
    name: Mapped[str]
    version: Mapped[int]
    sha256: Mapped[str]
    text: Mapped[str]
    created_at: Mapped[datetime]


class DocumentRow(Base):
    __table__ = core_tables.documents
    id: Mapped[int]
    project_id: Mapped[int]
    external_id: Mapped[str]
    text: Mapped[str]
    text_length: Mapped[int]
    sha256: Mapped[str]
    meta: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]


class AnnotatorRow(Base):
    __table__ = core_tables.annotators
    id: Mapped[int]
    name: Mapped[str]
    created_at: Mapped[datetime]


class TeamMemberRow(Base):
    __table__ = core_tables.team_members
    annotator_id: Mapped[int]
    role: Mapped[str]
    created_at: Mapped[datetime]


class AssignmentRow(Base):
    __table__ = core_tables.assignments
    document_id: Mapped[int]
    annotator_id: Mapped[int]
    created_at: Mapped[datetime]


class DocumentStatusRow(Base):
    """One annotator's progress on one document; no row means 'todo'."""

    __table__ = core_tables.document_status
    document_id: Mapped[int]
    annotator_id: Mapped[int]
    status: Mapped[str]
    seconds_spent: Mapped[float]
    updated_at: Mapped[datetime]


class SpanRow(Base):
    __table__ = core_tables.spans
    id: Mapped[int]
    document_id: Mapped[int]
    annotator_id: Mapped[int]
    start: Mapped[int]
    end: Mapped[int]
    label: Mapped[str]
    created_at: Mapped[datetime]


class SpanAttributeRow(Base):
    __table__ = core_tables.span_attributes
    span_id: Mapped[int]
    name: Mapped[str]
    value: Mapped[Any]


class RelationRow(Base):
    __table__ = core_tables.relations
    id: Mapped[int]
    document_id: Mapped[int]
    annotator_id: Mapped[int]
    label: Mapped[str]
    head_span_id: Mapped[int]
    tail_span_id: Mapped[int]
    created_at: Mapped[datetime]


class DocumentLabelRow(Base):
    __table__ = core_tables.document_labels
    document_id: Mapped[int]
    annotator_id: Mapped[int]
    label: Mapped[str]


class ReviewRejectionRow(Base):
    __table__ = core_tables.review_rejections
    document_id: Mapped[int]
    annotator_id: Mapped[int]
    start: Mapped[int]
    end: Mapped[int]
    label: Mapped[str]
    created_at: Mapped[datetime]


class EventRow(Base):
    """Append-only log of who did what and when: history, time tracking, audits."""

    __table__ = core_tables.events
    id: Mapped[int]
    at: Mapped[datetime]
    annotator_id: Mapped[int | None]
    document_id: Mapped[int | None]
    action: Mapped[str]
    detail: Mapped[dict[str, Any]]
