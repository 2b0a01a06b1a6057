"""The main menu: each entry is shown only to users whose permission rule allows it."""

from __future__ import annotations

from dataclasses import dataclass

from flask import request
from flask import url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from webapp.organisation.models import Role
from webapp.permissions import RULES

# (endpoint, label, description, endpoint prefixes that mark it current): capabilities add
# their pages here.
MENU = [
    ("main.index", _l("Start"), "", ("main.index",)),
    ("rounds.index", _l("Rundor"), _l("Skicka årets uppföljning, följ svaren och påminn."),
     ("rounds.index", "rounds.new", "rounds.edit", "rounds.dashboard", "rounds.manage",
      "rounds.email_texts")),
    ("rounds.mine", _l("Mina uppföljningar"), _l("Svara på årets uppföljning för dina enheter."),
     ("rounds.mine", "rounds.answer", "rounds.confirm", "rounds.view")),
    ("anonymous.index", _l("Medarbetarenkät"), _l("Anonyma enkäter: koder, länkar, deltagande "
                                                  "och resultat."),
     ("anonymous.",)),
    ("measures.index", _l("Åtgärder"), _l("Registret över aktiva åtgärder: mål, ansvar, tidsplan "
                                          "och status."),
     ("measures.",)),
    ("results.index", _l("Resultat"), _l("Sammanställda svar, diagram, jämförelser över år och "
                                         "export."), ("results.",)),
    ("boardreports.index", _l("Rapporter"), _l("Årsrapporten till kommunstyrelsen: utkast, "
                                               "beslut och arkiv."), ("boardreports.",)),
    ("organisation.tree", _l("Organisation"), _l("Enheter, chefer och antal anställda."),
     ("organisation.tree", "organisation.unit")),
    ("measures.plan", _l("Handlingsplan"), _l("Årets plan för aktiva åtgärder, för utskrift."),
     ("measures.plan", "measures.unit_plan")),
    ("organisation.users", _l("Användare"), _l("Bjud in chefer, HR och förtroendevalda."),
     ("organisation.user",)),
    ("questionnaires.index", _l("Enkäter"), _l("Enkätfiler, kontroll och förhandsgranskning."),
     ("questionnaires.",)),
    ("main.audit_log", _l("Logg"), _l("Vem gjorde vad och när."), ("main.audit_log",)),
]

# Shown on the start page but not in the header, where they would crowd out daily work.
# "Mina uppföljningar" is in the header only for heads: staff rarely answer themselves.
SECONDARY = {"measures.plan", "organisation.users", "questionnaires.index", "main.audit_log"}


@dataclass
class NavItem:
    """A menu entry the current user may follow."""

    endpoint: str
    label: str
    description: str
    url: str
    active: bool


def nav_items(header: bool = False) -> list[NavItem]:
    """Return the menu entries the current user is allowed to open (header: the main ones)."""
    items = []
    current = request.endpoint or ""
    for endpoint, label, description, prefixes in MENU:
        if header and _secondary(endpoint):
            continue
        if RULES[endpoint](current_user, {}):
            active = current.startswith(prefixes)
            items.append(NavItem(endpoint, str(label), str(description), url_for(endpoint), active))
    return items


def _secondary(endpoint: str) -> bool:
    if endpoint == "rounds.mine":
        return bool(current_user.role != Role.HEAD)
    return endpoint in SECONDARY
