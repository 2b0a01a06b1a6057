"""Exempelkommun: demo data so that a newcomer sees a living installation at once."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func
from sqlalchemy import select

from webapp.auth.services import set_password
from webapp.extensions import db
from webapp.organisation import importer
from webapp.organisation import services
from webapp.organisation.models import Role
from webapp.organisation.models import Unit

DEMO_PASSWORD = "aktiva-demo"  # noqa: S105  (published demo credential, printed by make run)
ORG_FILE = Path(__file__).with_name("exempelkommun.yaml")


@dataclass(frozen=True)
class DemoLogin:
    """A demo account to print for the newcomer."""

    role: str
    email: str
    name: str


STAFF = [
    DemoLogin(Role.ADMIN, "admin@exempelkommun.se", "Alex Admin"),
    DemoLogin(Role.HR, "hr@exempelkommun.se", "Hanna Persson"),
    DemoLogin(Role.BOARD, "ordforande@exempelkommun.se", "Per Lind"),
]
HEAD_EXAMPLE = "anders.nyberg@exempelkommun.se"


def is_empty() -> bool:
    """Whether the database has no units yet."""
    return (db.session.scalar(select(func.count()).select_from(Unit)) or 0) == 0


def load() -> list[DemoLogin]:
    """Create Exempelkommun with its units, heads, HR, admin and board reader; flush only."""
    importer.apply(ORG_FILE)
    titles = {Role.ADMIN: "Systemförvaltare", Role.HR: "HR-strateg",
              Role.BOARD: "Kommunstyrelsens ordförande"}
    for login in STAFF:
        services.save_user(None, name=login.name, email=login.email, role=login.role,
                           title=titles[Role(login.role)], active=True)
    for user in services.all_users():
        set_password(user, DEMO_PASSWORD)
    head = services.ensure_head(HEAD_EXAMPLE, "")
    db.session.flush()
    from webapp.measures.demo import seed_measures

    seed_measures()
    from webapp.rounds.demo import load as load_rounds

    load_rounds()
    from webapp.anonymous.demo import seed_anonymous

    seed_anonymous()
    from webapp.boardreports.demo import seed_board_reports

    seed_board_reports()
    return [*STAFF, DemoLogin(Role.HEAD, head.email, head.name)]
