"""The audit log: who did what and when. Rows survive deletion of what they describe."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_login import current_user
from sqlalchemy import JSON
from sqlalchemy import String
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from webapp.extensions import db


def utcnow() -> dt.datetime:
    """Return the current time in UTC, timezone-aware."""
    return dt.datetime.now(dt.UTC)


class AuditEntry(db.Model):  # type: ignore[name-defined]
    """One recorded action. Actor and object are copied as text, not foreign keys."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column()
    actor: Mapped[str] = mapped_column(String(200), default="system")
    action: Mapped[str] = mapped_column(String(80), index=True)
    object_type: Mapped[str] = mapped_column(String(80), default="")
    object_id: Mapped[str] = mapped_column(String(80), default="")
    summary: Mapped[str] = mapped_column(String(500), default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


def record(action: str, obj: Any = None, summary: str = "", **details: Any) -> AuditEntry:
    """Add an audit entry for the current user (or 'system' outside a request); flush only."""
    actor_id = None
    actor = "system"
    try:
        if current_user and current_user.is_authenticated:
            actor_id = current_user.id
            actor = current_user.email
    except RuntimeError:  # no request or app context user: CLI
        pass
    entry = AuditEntry(
        actor_id=actor_id,
        actor=actor,
        action=action,
        object_type=type(obj).__name__ if obj is not None else "",
        object_id=str(getattr(obj, "id", "") or "") if obj is not None else "",
        summary=summary[:500],
        details=details,
    )
    db.session.add(entry)
    db.session.flush()
    return entry
