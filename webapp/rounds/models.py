"""Yearly follow-up rounds: what was sent to which unit, and the unit's answers.

A round freezes its questionnaire version and a snapshot of its target units when it opens,
so a reorganisation later never rewrites the history of this year.
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
from webapp.organisation.models import Unit
from webapp.organisation.models import User


class RoundState(enum.StrEnum):
    """Life of a round."""

    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class AssignmentState(enum.StrEnum):
    """Life of one unit's answer. OVERDUE is derived from the due date, never stored."""

    NOT_OPENED = "not_opened"
    STARTED = "started"
    SUBMITTED = "submitted"
    REOPENED = "reopened"
    OVERDUE = "overdue"


ROUND_STATE_LABELS = {
    RoundState.DRAFT: "Utkast",
    RoundState.OPEN: "Öppen",
    RoundState.CLOSED: "Stängd",
}

ASSIGNMENT_STATE_LABELS = {
    AssignmentState.NOT_OPENED: "Ej öppnad",
    AssignmentState.STARTED: "Påbörjad",
    AssignmentState.SUBMITTED: "Inskickad",
    AssignmentState.REOPENED: "Återöppnad",
    AssignmentState.OVERDUE: "Försenad",
}


class RoundStateError(Exception):
    """An action that the round's or the answer's current state does not allow."""


class Round(db.Model):  # type: ignore[name-defined]
    """One yearly follow-up sent to a set of units."""

    __tablename__ = "round"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    year: Mapped[int] = mapped_column(index=True)
    questionnaire_version_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaire_version.id"), index=True
    )
    opens_on: Mapped[dt.date]
    due_on: Mapped[dt.date]
    state: Mapped[str] = mapped_column(String(20), default=RoundState.DRAFT)
    # After the due date, reminders also go to the head of the parent unit.
    remind_parent_when_overdue: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)
    opened_at: Mapped[dt.datetime | None] = mapped_column(db.DateTime(timezone=True))
    closed_at: Mapped[dt.datetime | None] = mapped_column(db.DateTime(timezone=True))
    # Target units chosen while the round is a draft (ids); frozen into RoundUnit rows on open.
    target_unit_ids: Mapped[list[int]] = mapped_column(JSON, default=list)

    questionnaire_version = relationship("QuestionnaireVersion")
    units: Mapped[list[RoundUnit]] = relationship(
        back_populates="round", cascade="all, delete-orphan", order_by="RoundUnit.position"
    )
    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="round", cascade="all, delete-orphan"
    )

    @property
    def state_label(self) -> str:
        """Return the Swedish label of the round's state."""
        return ROUND_STATE_LABELS[RoundState(self.state)]

    @property
    def is_open(self) -> bool:
        """Whether answers can be saved and submitted."""
        return self.state == RoundState.OPEN

    def open(self) -> None:
        """Move a draft round to open; raise RoundStateError otherwise."""
        if self.state != RoundState.DRAFT:
            raise RoundStateError("Bara en runda som är ett utkast kan öppnas.")
        self.state = RoundState.OPEN
        self.opened_at = utcnow()

    def close(self) -> None:
        """Close an open round; late answers are then refused."""
        if self.state != RoundState.OPEN:
            raise RoundStateError("Bara en öppen runda kan stängas.")
        self.state = RoundState.CLOSED
        self.closed_at = utcnow()


class RoundUnit(db.Model):  # type: ignore[name-defined]
    """A target unit as it was when the round opened (name, parent, head, employees)."""

    __tablename__ = "round_unit"
    __table_args__ = (UniqueConstraint("round_id", "unit_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"), index=True)
    # The live unit, while it exists; the snapshot columns below keep the history.
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="SET NULL"))
    position: Mapped[int] = mapped_column(default=0)
    unit_code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    parent_name: Mapped[str] = mapped_column(String(200), default="")
    parent_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="SET NULL"))
    head_names: Mapped[str] = mapped_column(String(500), default="")
    employees: Mapped[int] = mapped_column(default=0)

    round: Mapped[Round] = relationship(back_populates="units")
    unit: Mapped[Unit | None] = relationship(foreign_keys=[unit_id])
    parent_unit: Mapped[Unit | None] = relationship(foreign_keys=[parent_unit_id])
    assignment: Mapped[Assignment | None] = relationship(back_populates="round_unit", uselist=False)


class Assignment(db.Model):  # type: ignore[name-defined]
    """One unit's answer to a round: who answers, its state and its (draft) answers.

    `version` is SQLAlchemy's optimistic lock: two delegates saving the same version
    cannot both win; the second gets a conflict instead of silently overwriting.
    """

    __tablename__ = "assignment"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"), index=True)
    round_unit_id: Mapped[int] = mapped_column(
        ForeignKey("round_unit.id", ondelete="CASCADE"), unique=True
    )
    respondent_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    state: Mapped[str] = mapped_column(String(20), default=AssignmentState.NOT_OPENED)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    due_on: Mapped[dt.date | None] = mapped_column()  # an extension for this unit only
    first_opened_at: Mapped[dt.datetime | None] = mapped_column(db.DateTime(timezone=True))
    updated_at: Mapped[dt.datetime | None] = mapped_column(db.DateTime(timezone=True))
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    submitted_at: Mapped[dt.datetime | None] = mapped_column(db.DateTime(timezone=True))
    submitted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    reopened_at: Mapped[dt.datetime | None] = mapped_column(db.DateTime(timezone=True))
    reopen_reason: Mapped[str] = mapped_column(Text, default="")
    last_reminded_on: Mapped[dt.date | None] = mapped_column()
    # When HR accepted the submitted answers into the measures register.
    accepted_at: Mapped[dt.datetime | None] = mapped_column(db.DateTime(timezone=True))
    accepted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    round: Mapped[Round] = relationship(back_populates="assignments")
    round_unit: Mapped[RoundUnit] = relationship(back_populates="assignment")
    respondent: Mapped[User | None] = relationship(foreign_keys=[respondent_id])
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])

    @property
    def effective_due_on(self) -> dt.date:
        """The unit's own extended deadline, else the round's."""
        return self.due_on or self.round.due_on

    def display_state(self, today: dt.date) -> AssignmentState:
        """Return the state to show, with OVERDUE for unsubmitted answers past their date."""
        state = AssignmentState(self.state)
        if state != AssignmentState.SUBMITTED and today > self.effective_due_on:
            return AssignmentState.OVERDUE
        return state

    @property
    def is_submitted(self) -> bool:
        """Whether the answer has been submitted (and not reopened since)."""
        return self.state == AssignmentState.SUBMITTED

    @property
    def is_editable(self) -> bool:
        """Whether the respondent may still change the answer."""
        return self.round.is_open and not self.is_submitted

    def mark_opened(self) -> None:
        """Record the first time the respondent opened the form."""
        if self.first_opened_at is None:
            self.first_opened_at = utcnow()
        if self.state == AssignmentState.NOT_OPENED:
            self.state = AssignmentState.STARTED

    def save_draft(self, answers: dict[str, Any], by: User) -> None:
        """Replace the draft answers; raise RoundStateError if the answer is not editable."""
        self._require_editable()
        self.answers = answers
        self.updated_at = utcnow()
        self.updated_by_id = by.id
        self.mark_opened()

    def submit(self, answers: dict[str, Any], by: User) -> None:
        """Submit the answers; a submitted answer can only change after HR reopens it."""
        self._require_editable()
        self.answers = answers
        self.updated_at = self.submitted_at = utcnow()
        self.updated_by_id = self.submitted_by_id = by.id
        if self.first_opened_at is None:
            self.first_opened_at = self.submitted_at
        self.state = AssignmentState.SUBMITTED

    def accept(self, by: User) -> None:
        """Record that HR took the submitted answers into the measures register."""
        if not self.is_submitted:
            raise RoundStateError("Bara ett inskickat svar kan godkännas.")
        if self.accepted_at is not None:
            raise RoundStateError("Svaret är redan godkänt och infört i åtgärdsregistret.")
        self.accepted_at = utcnow()
        self.accepted_by_id = by.id

    def reopen(self, reason: str) -> None:
        """Let the respondent change a submitted answer again (HR, with a reason)."""
        if not self.is_submitted:
            raise RoundStateError("Bara ett inskickat svar kan återöppnas.")
        if self.accepted_at is not None:
            raise RoundStateError(
                "Svaret är redan infört i åtgärdsregistret och kan inte "
                "återöppnas; ändra åtgärderna i registret i stället."
            )
        if not self.round.is_open:
            raise RoundStateError("Rundan är stängd.")
        if not reason.strip():
            raise RoundStateError("Ange varför svaret återöppnas.")
        self.state = AssignmentState.REOPENED
        self.reopened_at = utcnow()
        self.reopen_reason = reason.strip()

    def _require_editable(self) -> None:
        if not self.round.is_open:
            raise RoundStateError("Rundan är stängd och tar inte emot fler svar.")
        if self.is_submitted:
            raise RoundStateError("Svaret är redan inskickat.")


class MailLog(db.Model):  # type: ignore[name-defined]
    """Every invitation and reminder, with the error if it could not be sent."""

    __tablename__ = "mail_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int | None] = mapped_column(
        ForeignKey("round.id", ondelete="CASCADE"), index=True
    )
    assignment_id: Mapped[int | None] = mapped_column(
        ForeignKey("assignment.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))  # invitation | reminder | escalation
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    sent_at: Mapped[dt.datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)
    error: Mapped[str | None] = mapped_column(Text)

    @property
    def ok(self) -> bool:
        """Whether the message reached the mail server (or the outbox)."""
        return self.error is None


class EmailTemplate(db.Model):  # type: ignore[name-defined]
    """An editable Swedish email text for invitations and reminders."""

    __tablename__ = "email_template"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[dt.datetime | None] = mapped_column(db.DateTime(timezone=True))
