"""Small factories for test data: keyword defaults, override anything with **kwargs."""

from __future__ import annotations

import email
import email.policy
import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from webapp.auth.services import set_password
from webapp.extensions import db
from webapp.organisation.models import Role
from webapp.organisation.models import Unit
from webapp.organisation.models import User

PASSWORD = "correct horse battery"  # noqa: S105
_seq = itertools.count(1)


def gen_unit(parent: Unit | None = None, **kwargs: Any) -> Unit:
    """Create a unit; kind defaults to förvaltning under a parent, kommun without."""
    n = next(_seq)
    values: dict[str, Any] = {
        "code": f"U{n}",
        "name": f"Enhet {n}",
        "kind": "förvaltning" if parent else "kommun",
        "employees": 10,
        "parent": parent,
    }
    values.update(kwargs)
    unit = Unit(**values)
    db.session.add(unit)
    db.session.commit()
    return unit


def gen_user(role: str = Role.HR, units: list[Unit] | None = None, password: str | None = PASSWORD,
             **kwargs: Any) -> User:
    """Create a user with a password (pass password=None for an invited user)."""
    n = next(_seq)
    values: dict[str, Any] = {"email": f"user{n}@kommun.test", "name": f"Användare {n}",
                              "role": role, "active": True}
    values.update(kwargs)
    user = User(**values)
    db.session.add(user)
    if units:
        user.headed_units = list(units)
    db.session.flush()
    if password is not None:
        set_password(user, password)
    db.session.commit()
    return user


@dataclass
class Outbox:
    """Read the .eml files that the development mailer writes."""

    folder: Path

    def messages(self) -> list[email.message.EmailMessage]:
        if not self.folder.exists():
            return []
        return [
            email.message_from_bytes(p.read_bytes(), policy=email.policy.default)  # type: ignore[misc]
            for p in sorted(self.folder.glob("*.eml"))
        ]

    def last_body(self) -> str:
        msg = self.messages()[-1]
        return msg.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
