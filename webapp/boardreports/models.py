"""The board report of a round: editable text, the workflow state and the archived decision.

draft → sent (to the board) → approved. Only a draft can be edited; a sent report can go back
to draft; an approved report is final, and its archived PDF/A is stored with its SHA-256.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON
from sqlalchemy import ForeignKey
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from webapp.audit import utcnow
from webapp.extensions import db


class ReportState(enum.StrEnum):
    """Life of a board report."""

    DRAFT = "draft"
    SENT = "sent"
    APPROVED = "approved"


STATE_LABELS = {
    ReportState.DRAFT: "Utkast",
    ReportState.SENT: "Skickad till nämnden",
    ReportState.APPROVED: "Beslutad",
}

# The text sections HR edits, in document order: (attribute, Swedish label).
TEXT_SECTIONS = ("summary", "basis", "proposal", "send_to", "background", "development")


class ReportStateError(Exception):
    """An action the report's state does not allow."""


class BoardReport(db.Model):  # type: ignore[name-defined]
    """The yearly report of one follow-up round to the municipal board."""

    __tablename__ = "board_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"),
                                          unique=True)
    year: Mapped[int] = mapped_column(index=True)
    state: Mapped[str] = mapped_column(String(20), default=ReportState.DRAFT)
    organ: Mapped[str] = mapped_column(String(200), default="")  # who decides
    author: Mapped[str] = mapped_column(String(200), default="")  # the förvaltning writing
    report_date: Mapped[dt.date]
    diarienummer: Mapped[str] = mapped_column(String(60), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    basis: Mapped[str] = mapped_column(Text, default="")
    proposal: Mapped[str] = mapped_column(Text, default="")
    send_to: Mapped[str] = mapped_column(Text, default="")
    background: Mapped[str] = mapped_column(Text, default="")
    development: Mapped[str] = mapped_column(Text, default="")
    # Free texts HR quotes: [{"unit": ..., "question": ..., "text": ...}]
    quotes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    sent_at: Mapped[dt.datetime | None] = mapped_column(db.DateTime(timezone=True))
    decision_organ: Mapped[str] = mapped_column(String(200), default="")
    decision_date: Mapped[dt.date | None] = mapped_column()
    decision_paragraph: Mapped[str] = mapped_column(String(60), default="")
    approved_at: Mapped[dt.datetime | None] = mapped_column(db.DateTime(timezone=True))
    approved_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    # The archived PDF/A: a path relative to the archive folder, and its SHA-256 (hex).
    archive_path: Mapped[str | None] = mapped_column(String(300))
    archive_sha256: Mapped[str | None] = mapped_column(String(64))
    archive_size: Mapped[int | None] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow,
                                                    onupdate=utcnow)

    round = relationship("Round")

    @property
    def state_label(self) -> str:
        """Return the Swedish label of the state."""
        return STATE_LABELS[ReportState(self.state)]

    @property
    def is_editable(self) -> bool:
        """Whether HR may still change the text (only drafts)."""
        return self.state == ReportState.DRAFT

    @property
    def is_approved(self) -> bool:
        """Whether the board has decided and the report is archived."""
        return self.state == ReportState.APPROVED

    def require_editable(self) -> None:
        """Raise ReportStateError unless the report is a draft."""
        if self.state == ReportState.APPROVED:
            raise ReportStateError("Rapporten är beslutad och arkiverad och kan inte ändras.")
        if self.state != ReportState.DRAFT:
            raise ReportStateError("Rapporten är skickad. Ta tillbaka den till utkast för att "
                                   "ändra texten.")

    def mark_sent(self) -> None:
        """Mark a draft as sent to the board."""
        if self.state != ReportState.DRAFT:
            raise ReportStateError("Bara ett utkast kan skickas.")
        self.state = ReportState.SENT
        self.sent_at = utcnow()

    def back_to_draft(self) -> None:
        """Take a sent report back to draft, e.g. when the board returns it."""
        if self.state != ReportState.SENT:
            raise ReportStateError("Bara en skickad rapport kan tas tillbaka till utkast.")
        self.state = ReportState.DRAFT
        self.sent_at = None

    def approve(self, organ: str, date: dt.date, paragraph: str, diarienummer: str,
                by_id: int | None) -> None:
        """Record the board's decision on a sent report."""
        if self.state != ReportState.SENT:
            raise ReportStateError("Beslut kan bara registreras för en rapport som har "
                                   "skickats till nämnden.")
        self.decision_organ = organ
        self.decision_date = date
        self.decision_paragraph = paragraph
        self.diarienummer = diarienummer
        self.state = ReportState.APPROVED
        self.approved_at = utcnow()
        self.approved_by_id = by_id
