"""Tables of the corrections loop (SQLAlchemy 2). The schema itself is managed by Alembic (migrations/)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from ecosystem.corrections import lengths


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class Base(DeclarativeBase):
    pass


class Submission(Base):
    """A request from the public: changes to an entity, or a new organisation (entity_id is then its new id)."""

    __tablename__ = "submission"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    reference: Mapped[str | None] = mapped_column(String(lengths.REFERENCE), unique=True, index=True)
    kind: Mapped[str] = mapped_column(String(lengths.KIND))  # "change" | "new"
    entity_id: Mapped[str] = mapped_column(String(lengths.ENTITY_ID), index=True)
    status: Mapped[str] = mapped_column(String(lengths.STATUS), default="pending", index=True)
    comment: Mapped[str] = mapped_column(Text, default="")
    contact_name: Mapped[str] = mapped_column(String(lengths.CONTACT_NAME))
    contact_email: Mapped[str] = mapped_column(String(lengths.EMAIL), index=True)
    contact_organisation: Mapped[str] = mapped_column(String(lengths.ORGANISATION), default="")
    relation: Mapped[str] = mapped_column(String(lengths.RELATION))  # "self" | "other"
    language: Mapped[str] = mapped_column(String(lengths.LANGUAGE), default="fr")
    session_key: Mapped[str] = mapped_column(String(lengths.SHA256_HEX), index=True)
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    # sha256 of what was asked (service.content_digest): a resubmission within minutes finds the first request.
    content_digest: Mapped[str | None] = mapped_column(String(lengths.SHA256_HEX), index=True, nullable=True)

    changes: Mapped[list[FieldChange]] = relationship(back_populates="submission", order_by="FieldChange.id",
                                                      cascade="all, delete-orphan")
    reviews: Mapped[list[Review]] = relationship(back_populates="submission", order_by="Review.id")


class FieldChange(Base):
    """One proposed value: the field, the value shown to the submitter, and the value proposed."""

    __tablename__ = "field_change"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"), index=True)
    field: Mapped[str] = mapped_column(String(lengths.FIELD))
    old_value: Mapped[str] = mapped_column(Text, default="")
    new_value: Mapped[str] = mapped_column(Text, default="")

    submission: Mapped[Submission] = relationship(back_populates="changes")


class Review(Base):
    """A staff decision on a submission: accepted, rejected (with a reason) or reverted."""

    __tablename__ = "review"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"), index=True)
    reviewer: Mapped[str] = mapped_column(String(lengths.REVIEWER))
    decision: Mapped[str] = mapped_column(String(lengths.STATUS))
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    submission: Mapped[Submission] = relationship(back_populates="reviews")


class EntityHistory(Base):
    """Every value that went live: who, when, old -> new, from which request. The current dataset is the seed
    file with, for each (entity, field), the latest row not reverted."""

    __tablename__ = "entity_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entity_id: Mapped[str] = mapped_column(String(lengths.ENTITY_ID), index=True)
    field: Mapped[str] = mapped_column(String(lengths.FIELD))
    old_value: Mapped[str] = mapped_column(Text, default="")
    new_value: Mapped[str] = mapped_column(Text, default="")
    reference: Mapped[str] = mapped_column(String(lengths.REFERENCE), index=True)
    reviewer: Mapped[str] = mapped_column(String(lengths.REVIEWER))
    applied_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    reverted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class ImportBatch(Base):
    """An inventory file applied by staff: its name and checksum, and what it changed (see entity_history)."""

    __tablename__ = "import_batch"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    reference: Mapped[str] = mapped_column(String(20), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    checksum: Mapped[str] = mapped_column(String(64))
    reviewer: Mapped[str] = mapped_column(String(100))
    rows_new: Mapped[int] = mapped_column(Integer)
    rows_changed: Mapped[int] = mapped_column(Integer)
    applied_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
