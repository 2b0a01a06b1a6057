"""Frozen questionnaire versions and uploaded attachments."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON
from sqlalchemy import ForeignKey
from sqlalchemy import String
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from webapp.audit import utcnow
from webapp.extensions import db
from webapp.questionnaires.schema import Definition


class QuestionnaireVersion(db.Model):  # type: ignore[name-defined]
    """A questionnaire definition exactly as a round used it; never changed once stored."""

    __tablename__ = "questionnaire_version"
    __table_args__ = (UniqueConstraint("content_hash", name="uq_questionnaire_version_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60), index=True)  # the definition's id
    version: Mapped[str] = mapped_column(String(40))  # the file's own version label
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20))
    content_hash: Mapped[str] = mapped_column(String(64))  # sha256 of canonical JSON
    definition_json: Mapped[dict[str, Any]] = mapped_column(JSON)
    source_file: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[dt.datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)

    @property
    def definition(self) -> Definition:
        """Return the frozen definition as a model."""
        return Definition.model_validate(self.definition_json)

    @property
    def question_count(self) -> int:
        """Return the number of questions."""
        return len(self.definition.question_ids())


class Attachment(db.Model):  # type: ignore[name-defined]
    """An uploaded file, stored under UPLOAD_FOLDER with a random name, served only by a view."""

    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    original_name: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(String(64))
    question_id: Mapped[str] = mapped_column(String(60), default="")
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    # The unit the answer belongs to, for later access rules; not used for access yet.
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)

    def reference(self) -> dict[str, Any]:
        """Return the JSON answer value that points to this file."""
        return {"attachment_id": self.id, "filename": self.original_name, "size": self.size,
                "sha256": self.sha256}
