"""Anonymous employee surveys: rounds, unit snapshots, single-use codes, drafts and responses.

Unlinkability is a property of these tables (docs/anonymity.md explains the threat model):

- `AnonymousResponse` has a random UUID key, the unit, the ISO week and the answers. Nothing
  else: no code, no hash, no user, no IP, no timestamp, no sequence number.
- `AccessCode` holds only a keyed hash of each code with its unit and a used flag; there is no
  column in common with responses except the unit.
- `AnonymousDraft` is keyed by the code's hash and encrypted with a key derived from the code
  itself (which the server never stores); it is deleted when the answer is submitted.
- Responses and codes are stored WITHOUT ROWID on SQLite and rewritten in random order on each
  submit (services._rewrite_shuffled), so neither row order nor system columns tell the order
  of arrival.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON
from sqlalchemy import ForeignKey
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from webapp.audit import utcnow
from webapp.extensions import db


class AnonymousRoundState(enum.StrEnum):
    """Life of an anonymous round."""

    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


STATE_LABELS = {
    AnonymousRoundState.DRAFT: "Utkast",
    AnonymousRoundState.OPEN: "Öppen",
    AnonymousRoundState.CLOSED: "Stängd",
}


class AnonymousStateError(Exception):
    """An action that the round's current state does not allow."""


class AnonymousRound(db.Model):  # type: ignore[name-defined]
    """One anonymous employee survey sent to a set of units."""

    __tablename__ = "anonymous_round"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    year: Mapped[int] = mapped_column(index=True)
    questionnaire_version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_version.id"))
    opens_on: Mapped[dt.date]
    closes_on: Mapped[dt.date]
    state: Mapped[str] = mapped_column(String(20), default=AnonymousRoundState.DRAFT)
    target_unit_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    # Staff actions on the round itself carry times; answers never do.
    created_at: Mapped[dt.datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)
    opened_at: Mapped[dt.datetime | None] = mapped_column(db.DateTime(timezone=True))
    closed_at: Mapped[dt.datetime | None] = mapped_column(db.DateTime(timezone=True))
    closed_on: Mapped[dt.date | None] = mapped_column()  # the retention clock starts here
    raw_deleted_on: Mapped[dt.date | None] = mapped_column()

    questionnaire_version = relationship("QuestionnaireVersion")
    units: Mapped[list[AnonymousUnit]] = relationship(
        back_populates="round", cascade="all, delete-orphan", order_by="AnonymousUnit.position")

    @property
    def state_label(self) -> str:
        """Return the Swedish label of the state."""
        return STATE_LABELS[AnonymousRoundState(self.state)]

    def accepts_answers(self, today: dt.date) -> bool:
        """Whether the round is open and today is within its dates."""
        return (self.state == AnonymousRoundState.OPEN and self.raw_deleted_on is None
                and self.opens_on <= today <= self.closes_on)

    def open(self) -> None:
        """Move a draft to open; raise AnonymousStateError otherwise."""
        if self.state != AnonymousRoundState.DRAFT:
            raise AnonymousStateError("Bara en enkät som är ett utkast kan öppnas.")
        self.state = AnonymousRoundState.OPEN
        self.opened_at = utcnow()

    def close(self, today: dt.date) -> None:
        """Close an open round; no more answers are taken."""
        if self.state != AnonymousRoundState.OPEN:
            raise AnonymousStateError("Bara en öppen enkät kan stängas.")
        self.state = AnonymousRoundState.CLOSED
        self.closed_at = utcnow()
        self.closed_on = today


class AnonymousUnit(db.Model):  # type: ignore[name-defined]
    """A target unit frozen when the round opened, with its open link if HR enabled one."""

    __tablename__ = "anonymous_unit"
    __table_args__ = (UniqueConstraint("round_id", "unit_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("anonymous_round.id", ondelete="CASCADE"),
                                          index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="SET NULL"))
    position: Mapped[int] = mapped_column(default=0)
    unit_code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    parent_name: Mapped[str] = mapped_column(String(200), default="")
    employees: Mapped[int] = mapped_column(default=0)
    codes_issued: Mapped[int] = mapped_column(default=0)
    # The open link: a random slug in the URL and a keyed hash of the code word.
    link_token: Mapped[str | None] = mapped_column(String(40), unique=True)
    code_word_hash: Mapped[str | None] = mapped_column(String(64))

    round: Mapped[AnonymousRound] = relationship(back_populates="units")

    @property
    def has_link(self) -> bool:
        """Whether the open link with a code word is enabled."""
        return bool(self.link_token and self.code_word_hash)


class AccessCode(db.Model):  # type: ignore[name-defined]
    """A single-use code, stored only as a keyed hash. No time, no order, no response link."""

    __tablename__ = "anonymous_access_code"
    __table_args__ = {"sqlite_with_rowid": False}

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    round_unit_id: Mapped[int] = mapped_column(
        ForeignKey("anonymous_unit.id", ondelete="CASCADE"), index=True)
    used: Mapped[bool] = mapped_column(default=False)


class AnonymousDraft(db.Model):  # type: ignore[name-defined]
    """Saved, unsubmitted answers of one code, encrypted with a key only the code unlocks."""

    __tablename__ = "anonymous_draft"
    __table_args__ = {"sqlite_with_rowid": False}

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    round_unit_id: Mapped[int] = mapped_column(
        ForeignKey("anonymous_unit.id", ondelete="CASCADE"), index=True)
    ciphertext: Mapped[str] = mapped_column(Text)


class AnonymousResponse(db.Model):  # type: ignore[name-defined]
    """One submitted answer: random id, unit, ISO week and answers; nothing that links."""

    __tablename__ = "anonymous_response"
    __table_args__ = {"sqlite_with_rowid": False}

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("anonymous_round.id", ondelete="CASCADE"),
                                          index=True)
    round_unit_id: Mapped[int] = mapped_column(
        ForeignKey("anonymous_unit.id", ondelete="CASCADE"), index=True)
    answered_week: Mapped[str] = mapped_column(String(8))  # "2026-W11": never a day or a time
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
