"""Changes to units and users. Functions flush and audit; the caller commits once."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlalchemy import select

from webapp import audit
from webapp.extensions import db
from webapp.organisation.models import Role
from webapp.organisation.models import Unit
from webapp.organisation.models import User

UNIT_FIELDS = ("code", "name", "kind", "parent_id", "employees", "active")
USER_FIELDS = ("name", "email", "title", "role", "active")


def _assign(obj: Any, fields: tuple[str, ...], values: dict[str, Any]) -> dict[str, list[Any]]:
    """Set the given fields and return {field: [old, new]} for those that changed."""
    changed: dict[str, list[Any]] = {}
    for name in fields:
        if name in values and getattr(obj, name) != values[name]:
            changed[name] = [getattr(obj, name), values[name]]
            setattr(obj, name, values[name])
    return changed


def save_unit(unit: Unit | None, heads: list[User] | None = None, **values: Any) -> Unit:
    """Create a unit (unit=None) or update one; replace its heads when `heads` is given."""
    created = unit is None
    if unit is None:
        unit = Unit()
        db.session.add(unit)
    changed = _assign(unit, UNIT_FIELDS, values)
    if heads is not None and set(unit.heads) != set(heads):
        changed["heads"] = [sorted(u.email for u in unit.heads), sorted(u.email for u in heads)]
        unit.heads = list(heads)
    db.session.flush()
    if created or changed:
        audit.record("unit.created" if created else "unit.updated", unit,
                     summary=f"{unit.code} {unit.name}", changes=changed)
    return unit


def save_user(user: User | None, headed_units: list[Unit] | None = None, **values: Any) -> User:
    """Create a user (user=None) or update one; replace headed units when given."""
    created = user is None
    if "email" in values:
        values["email"] = values["email"].strip().lower()
    if user is None:
        user = User(password_hash=None)
        db.session.add(user)
    changed = _assign(user, USER_FIELDS, values)
    if headed_units is not None and set(user.headed_units) != set(headed_units):
        changed["units"] = [sorted(u.code for u in user.headed_units),
                            sorted(u.code for u in headed_units)]
        user.headed_units = list(headed_units)
    db.session.flush()
    if created or changed:
        audit.record("user.created" if created else "user.updated", user,
                     summary=user.email, changes=changed)
    return user


def email_taken(email: str, except_user: User | None = None) -> bool:
    """Whether another user already has this email (case-insensitive)."""
    query = select(User.id).where(func.lower(User.email) == email.strip().lower())
    if except_user is not None and except_user.id is not None:
        query = query.where(User.id != except_user.id)
    return db.session.scalar(query) is not None


def code_taken(code: str, except_unit: Unit | None = None) -> bool:
    """Whether another unit already has this code."""
    query = select(Unit.id).where(Unit.code == code.strip())
    if except_unit is not None and except_unit.id is not None:
        query = query.where(Unit.id != except_unit.id)
    return db.session.scalar(query) is not None


def roots() -> list[Unit]:
    """Return the top units of the tree, by name."""
    query = select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.name)
    return list(db.session.scalars(query))


def all_units() -> list[Unit]:
    """Return every unit, ordered as in the tree (depth first, by name)."""
    ordered: list[Unit] = []
    for root in roots():
        ordered.append(root)
        ordered.extend(root.descendants())
    return ordered


def ensure_head(email: str, name: str, title: str = "") -> User:
    """Return the user with this email, creating a unit head (without password) if missing."""
    user = find_user_by_email(email)
    if user is None:
        user = save_user(None, name=name, email=email, title=title, role=Role.HEAD, active=True)
    return user


def all_users() -> list[User]:
    """Return every user by name."""
    return list(db.session.scalars(select(User).order_by(User.name)))


def find_user_by_email(email: str) -> User | None:
    """Return the user with this email (case-insensitive), or None."""
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
