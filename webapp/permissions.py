"""The one place that decides who may see and do what.

Every endpoint has exactly one rule in RULES. `enforce` runs before each request and applies
it; an endpoint without a rule is refused (and the route-by-role test fails), so a new page is
closed until somebody decides who may use it. Object-level questions inside views and templates
go through `can(action, obj)`, which uses the same predicates.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort
from flask import current_app
from flask import redirect
from flask import request
from flask import url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.extensions import db
from webapp.organisation.models import Role
from webapp.organisation.models import Unit

# A rule gets the user (possibly anonymous) and the view arguments of the request.
Rule = Callable[[Any, dict[str, Any]], bool]


def public(user: Any, args: dict[str, Any]) -> bool:
    """Anyone, logged in or not."""
    return True


def authenticated(user: Any, args: dict[str, Any]) -> bool:
    """Any logged-in user."""
    return bool(user.is_authenticated)


def roles(*allowed: Role) -> Rule:
    """Users whose role is one of `allowed`."""

    def rule(user: Any, args: dict[str, Any]) -> bool:
        return bool(user.is_authenticated) and user.role in allowed

    rule.__doc__ = "Roles: " + ", ".join(allowed)
    return rule


STAFF = roles(Role.ADMIN, Role.HR)


def unit_ids_in_scope(user: Any) -> set[int] | None:
    """Return the unit ids a user may see; None means every unit (admin, HR)."""
    if not user.is_authenticated:
        return set()
    if user.role in (Role.ADMIN, Role.HR):
        return None
    if user.role != Role.HEAD:
        return set()
    ids: set[int] = set()
    for unit in user.headed_units:
        ids.add(unit.id)
        ids.update(u.id for u in unit.descendants())
    return ids


def may_view_unit(user: Any, unit: Unit | int | None) -> bool:
    """Admin and HR see every unit; a head sees the units they head and all below them."""
    if unit is None:
        return False
    unit_id = unit if isinstance(unit, int) else unit.id
    scope = unit_ids_in_scope(user)
    return scope is None or unit_id in scope


def unit_in_scope(arg: str = "unit_id") -> Rule:
    """Users allowed to view the unit named by the view argument `arg`."""

    def rule(user: Any, args: dict[str, Any]) -> bool:
        if not user.is_authenticated:
            return False
        unit = db.session.get(Unit, args.get(arg))
        if unit is None:
            abort(404)
        return may_view_unit(user, unit)

    return rule


RULES: dict[str, Rule] = {
    "static": public,
    # main
    "main.index": authenticated,
    "main.healthz": public,
    "main.set_language": public,
    "main.accessibility": public,
    # auth
    "auth.login": public,
    "auth.logout": public,
    "auth.accept_invitation": public,
    "auth.forgot_password": public,
    "auth.reset_password": public,
    "auth.account": authenticated,
    # organisation
    "organisation.tree": roles(Role.ADMIN, Role.HR, Role.HEAD),
    "organisation.unit": unit_in_scope(),
    "organisation.unit_new": STAFF,
    "organisation.unit_edit": STAFF,
    "organisation.users": STAFF,
    "organisation.user_new": STAFF,
    "organisation.user_edit": STAFF,
    "organisation.user_invite": STAFF,
}

# Object-level decisions for views and templates: can("unit.edit"), can("unit.view", unit).
ACTIONS: dict[str, Callable[[Any, Any], bool]] = {
    "unit.view": lambda user, unit: may_view_unit(user, unit),
    "unit.edit": lambda user, obj: STAFF(user, {}),
    "user.manage": lambda user, obj: STAFF(user, {}),
    "user.grant_admin": lambda user, obj: user.is_authenticated and user.role == Role.ADMIN,
    "org.view_tree": lambda user, obj: RULES["organisation.tree"](user, {}),
}


def can(action: str, obj: Any = None) -> bool:
    """Whether the current user may perform `action` (on `obj`)."""
    return bool(ACTIONS[action](current_user, obj))


def enforce() -> Response | None:
    """Apply the endpoint's rule before the view runs (a before_request hook)."""
    endpoint = request.endpoint
    if endpoint is None:  # unknown URL: let routing answer 404/405
        return None
    rule = RULES.get(endpoint)
    if rule is None:
        current_app.logger.error("No permission rule for endpoint %s; refusing", endpoint)
        abort(403)
    if rule(current_user, request.view_args or {}):
        return None
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    abort(403)
