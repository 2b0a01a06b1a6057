"""The main menu: each entry is shown only to users whose permission rule allows it."""

from __future__ import annotations

from dataclasses import dataclass

from flask import request
from flask import url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from webapp.permissions import RULES

# (endpoint, label, description, endpoint prefixes that mark it current): capabilities add
# their pages here.
MENU = [
    ("main.index", _l("Start"), "", ("main.index",)),
    ("organisation.tree", _l("Organisation"), _l("Enheter, chefer och antal anställda."),
     ("organisation.tree", "organisation.unit")),
    ("organisation.users", _l("Användare"), _l("Bjud in chefer, HR och förtroendevalda."),
     ("organisation.user",)),
    ("rounds.index", _l("Rundor"), _l("Skicka årets uppföljning, följ svaren och påminn."),
     ("rounds.index", "rounds.new", "rounds.edit", "rounds.dashboard", "rounds.manage",
      "rounds.email_texts")),
    ("rounds.mine", _l("Mina uppföljningar"), _l("Svara på årets uppföljning för dina enheter."),
     ("rounds.mine", "rounds.answer", "rounds.confirm", "rounds.view")),
    ("measures.index", _l("Åtgärder"), _l("Registret över aktiva åtgärder: mål, ansvar, tidsplan "
                                          "och status."),
     ("measures.index", "measures.detail", "measures.new", "measures.edit", "measures.evaluate",
      "measures.import")),
    ("measures.plan", _l("Handlingsplan"), _l("Årets plan för aktiva åtgärder, för utskrift."),
     ("measures.plan", "measures.unit_plan")),
    ("results.index", _l("Resultat"), _l("Sammanställda svar, diagram, jämförelser över år och "
                                         "export."), ("results.",)),
    ("questionnaires.index", _l("Enkäter"), _l("Enkätfiler, kontroll och förhandsgranskning."),
     ("questionnaires.",)),
    ("main.audit_log", _l("Logg"), _l("Vem gjorde vad och när."), ("main.audit_log",)),
]


@dataclass
class NavItem:
    """A menu entry the current user may follow."""

    endpoint: str
    label: str
    description: str
    url: str
    active: bool


def nav_items() -> list[NavItem]:
    """Return the menu entries the current user is allowed to open."""
    items = []
    current = request.endpoint or ""
    for endpoint, label, description, prefixes in MENU:
        if RULES[endpoint](current_user, {}):
            active = current.startswith(prefixes)
            items.append(NavItem(endpoint, str(label), str(description), url_for(endpoint), active))
    return items
