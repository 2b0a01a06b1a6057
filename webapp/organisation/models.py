"""Units of the municipal organisation and the people who use Aktiva."""

from __future__ import annotations

import datetime as dt
import enum

from flask_login import UserMixin
from sqlalchemy import Column
from sqlalchemy import ForeignKey
from sqlalchemy import String
from sqlalchemy import Table
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from webapp.audit import utcnow
from webapp.extensions import db
from webapp.i18n import N_


class UnitKind(enum.StrEnum):
    """Levels of a Swedish municipality, from the top down."""

    KOMMUN = "kommun"
    NAMND = "nämnd"
    FORVALTNING = "förvaltning"
    VERKSAMHET = "verksamhet"
    ENHET = "enhet"


# Swedish labels, marked for the catalog; templates and forms translate them when shown.
UNIT_KIND_LABELS = {
    UnitKind.KOMMUN: N_("Kommun"),
    UnitKind.NAMND: N_("Nämnd"),
    UnitKind.FORVALTNING: N_("Förvaltning"),
    UnitKind.VERKSAMHET: N_("Verksamhet"),
    UnitKind.ENHET: N_("Enhet"),
}


class Role(enum.StrEnum):
    """What a user is in Aktiva. Unit heads are also scoped by the units they head."""

    ADMIN = "admin"
    HR = "hr"
    HEAD = "head"
    BOARD = "board"


ROLE_LABELS = {
    Role.ADMIN: N_("Administratör"),
    Role.HR: N_("HR"),
    Role.HEAD: N_("Chef"),
    Role.BOARD: N_("Förtroendevald (läsare)"),
}


unit_heads = Table(
    "unit_head",
    db.metadata,
    Column("unit_id", ForeignKey("unit.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True),
)


class Unit(db.Model):  # type: ignore[name-defined]
    """A node in the organisation tree: kommun, nämnd, förvaltning, verksamhet or enhet."""

    __tablename__ = "unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    # People employed in this unit itself, not counting the units below it.
    employees: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    parent: Mapped[Unit | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Unit]] = relationship(back_populates="parent", order_by="Unit.name")
    heads: Mapped[list[User]] = relationship(
        secondary=unit_heads, back_populates="headed_units", order_by="User.name"
    )

    @property
    def kind_label(self) -> str:
        """Return the Swedish label of the unit's kind."""
        return UNIT_KIND_LABELS.get(UnitKind(self.kind), self.kind)

    @property
    def total_employees(self) -> int:
        """Return the employees of this unit and every unit below it."""
        return self.employees + sum(u.employees for u in self.descendants())

    def ancestors(self) -> list[Unit]:
        """Return the chain of parents, nearest first."""
        chain: list[Unit] = []
        node = self.parent
        while node is not None and node not in chain:
            chain.append(node)
            node = node.parent
        return chain

    def descendants(self) -> list[Unit]:
        """Return every unit below this one, depth first."""
        found: list[Unit] = []
        stack = list(reversed(self.children))
        while stack:
            node = stack.pop()
            found.append(node)
            stack.extend(reversed(node.children))
        return found

    def __repr__(self) -> str:
        return f"<Unit {self.code} {self.name!r}>"


class User(UserMixin, db.Model):  # type: ignore[name-defined]
    """A person who logs in: admin, HR, unit head or board reader."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # Bumped on every password change so outstanding reset links stop working.
    password_changed_at: Mapped[dt.datetime | None] = mapped_column(db.DateTime(timezone=True))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(db.DateTime(timezone=True))

    headed_units: Mapped[list[Unit]] = relationship(
        secondary=unit_heads, back_populates="heads", order_by="Unit.name"
    )

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active

    @property
    def session_stamp(self) -> int:
        """Microseconds of the last password change: part of the session id, so that changing
        the password ends every other session of the user."""
        changed = self.password_changed_at
        if changed is None:
            return 0
        if changed.tzinfo is None:  # SQLite returns naive UTC
            changed = changed.replace(tzinfo=dt.UTC)
        return (changed - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)) // dt.timedelta(microseconds=1)

    def get_id(self) -> str:
        """Return the id Flask-Login keeps in the session: "<user id>:<session stamp>"."""
        return f"{self.id}:{self.session_stamp}"

    @property
    def role_label(self) -> str:
        """Return the Swedish label of the user's role."""
        return ROLE_LABELS.get(Role(self.role), self.role)

    @property
    def has_password(self) -> bool:
        """Whether the user has completed the invitation."""
        return self.password_hash is not None

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class UnitSuccession(db.Model):  # type: ignore[name-defined]
    """A reorganisation link: answers of `old_code` compare with those of `new_code`.

    A renamed unit is one link; a split is several links from one old code; a merger several
    links to one new code. Codes are stored, not ids, because old units may be gone.
    """

    __tablename__ = "unit_succession"

    id: Mapped[int] = mapped_column(primary_key=True)
    old_code: Mapped[str] = mapped_column(String(40), index=True)
    new_code: Mapped[str] = mapped_column(String(40), index=True)
    since_year: Mapped[int]
    note: Mapped[str] = mapped_column(String(300), default="")
