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
