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


def gen_measure(unit: Unit | None = None, **kwargs: Any) -> Any:
    """Create a planned measure for `unit` (None = whole organisation) in the current year."""
    from webapp.measures import services as measure_services

    n = next(_seq)
    values: dict[str, Any] = {
        "title": f"Åtgärd {n}",
        "period": measure_services.current_period(),
        "unit_id": unit.id if unit else None,
        "area": "arbetsforhallanden",
        "grounds": ["kon"],
        "goal": f"Mål {n}",
        "responsible": "Chef",
        "schedule": "1 ggr/år (mars)",
        "followup_method": "Minnesanteckningar APT",
    }
    values.update(kwargs)
    measure = measure_services.save_measure(None, **values)
    db.session.commit()
    return measure


FOLLOWUP_YAML = """\
id: testuppfoljning
title: Testuppföljning
kind: unit_followup
version: "1"
sections:
  - id: trakasserier
    title: Trakasserier
    questions:
      - id: rutin_kand
        type: yes_no
        text: Känner alla chefer till rutinen?
        required: true
      - id: kommentar
        type: textarea
        text: Kommentar
        max_length: 500
"""


def write_followup(folder: Path, text: str = FOLLOWUP_YAML, name: str = "test.yaml") -> Path:
    """Write a small unit follow-up questionnaire into a questionnaire folder."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def gen_round(units: list[Unit], folder: Path, open_it: bool = True, **kwargs: Any) -> Any:
    """Create (and by default open) a round of the test questionnaire for the given units."""
    import datetime as dt

    from webapp.questionnaires import services as questionnaire_services
    from webapp.questionnaires.schema import load_definition
    from webapp.rounds import services as round_services

    path = folder / "test.yaml"
    if not path.exists():
        write_followup(folder)
    version = questionnaire_services.freeze(load_definition(path), path.name)
    values: dict[str, Any] = {
        "title": "Årlig uppföljning 2026", "year": 2026, "questionnaire_version_id": version.id,
        "opens_on": dt.date(2026, 10, 1), "due_on": dt.date(2026, 11, 30),
        "target_unit_ids": [u.id for u in units], "created_by": None,
    }
    values.update(kwargs)
    round_ = round_services.create_round(**values)
    if open_it:
        round_services.open_round(round_)
    db.session.commit()
    return round_
