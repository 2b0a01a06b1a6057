"""The one place that decides who may see and do what.

Every endpoint has exactly one rule in RULES. `enforce` runs before each request and applies
it; an endpoint without a rule is refused (and the route-by-role test fails), so a new page is
closed until somebody decides who may use it. Object-level questions inside views and templates
go through `can(action, obj)`, which uses the same predicates.
"""

from __future__ import annotations

import importlib
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


def object_access(model: str, check: str | Callable[[Any, Any], bool], arg: str) -> Rule:
    """Rule for a URL naming one object: 404 if it does not exist, else `check(user, obj)`.

    :param model: "module:Class", imported on first use (models import this module).
    :param check: an ACTIONS name or a predicate.
    """
    module, name = model.split(":")

    def rule(user: Any, args: dict[str, Any]) -> bool:
        if not user.is_authenticated:
            return False
        obj = db.session.get(getattr(importlib.import_module(module), name), args.get(arg))
        if obj is None:
            abort(404)
        return bool((ACTIONS[check] if isinstance(check, str) else check)(user, obj))

    rule.__doc__ = f"{check if isinstance(check, str) else check.__name__} on {name} {arg}"
    return rule


def unit_in_scope(arg: str = "unit_id") -> Rule:
    """Users allowed to view the unit named by the view argument `arg`."""
    return object_access("webapp.organisation.models:Unit", may_view_unit, arg)


def may_view_measure(user: Any, measure: Any) -> bool:
    """Admin and HR read every measure; a head reads their units' and the organisation-wide."""
    if not user.is_authenticated or measure is None:
        return False
    if measure.unit_id is None:
        return user.role in (Role.ADMIN, Role.HR, Role.HEAD)
    return may_view_unit(user, measure.unit_id)


def may_edit_measure(user: Any, measure: Any) -> bool:
    """Admin and HR edit every measure; a head edits only measures of units in their scope."""
    if not user.is_authenticated or measure is None:
        return False
    if user.role in (Role.ADMIN, Role.HR):
        return True
    return measure.unit_id is not None and user.role == Role.HEAD and may_view_unit(
        user, measure.unit_id)


def measure_access(action: str, arg: str = "measure_id") -> Rule:
    """Users allowed `action` ("measure.view"/"measure.edit") on the measure in `arg`."""
    return object_access("webapp.measures.models:Measure", action, arg)


def may_answer(user: Any, assignment: Any) -> bool:
    """The named respondent, or a head whose scope includes the unit, may edit the answer."""
    if not user.is_authenticated or assignment is None or user.role == Role.BOARD:
        return False
    if assignment.respondent_id == user.id:
        return True
    unit_id = assignment.round_unit.unit_id
    return user.role == Role.HEAD and unit_id is not None and may_view_unit(user, unit_id)


def may_read_answer(user: Any, assignment: Any) -> bool:
    """HR and admin read every unit's answer; respondents and heads read their own units'."""
    return STAFF(user, {}) or may_answer(user, assignment)


def assignment_access(action: str, arg: str = "assignment_id") -> Rule:
    """Users allowed `action` on the round assignment named in the URL."""
    return object_access("webapp.rounds.models:Assignment", action, arg)


def may_read_board_report(user: Any, report: Any) -> bool:
    """Staff read every board report; board members only approved (archived) ones."""
    if not user.is_authenticated or report is None:
        return False
    if user.role in (Role.ADMIN, Role.HR):
        return True
    return user.role == Role.BOARD and report.state == "approved"


def board_report_access(arg: str = "report_id") -> Rule:
    """Users allowed to read the board report named in the URL."""
    return object_access("webapp.boardreports.models:BoardReport", may_read_board_report, arg)


RULES: dict[str, Rule] = {
    "static": public,
    # main
    "main.index": authenticated,
    "main.healthz": public,
    "main.set_language": public,
    "main.accessibility": public,
    "main.audit_log": STAFF,
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
    # questionnaires (downloads are checked per attachment in the view: staff or uploader)
    "questionnaires.index": STAFF,
    "questionnaires.preview": STAFF,
    "questionnaires.attachment": authenticated,
    # measures
    "measures.index": roles(Role.ADMIN, Role.HR, Role.HEAD),
    "measures.detail": measure_access("measure.view"),
    "measures.new": roles(Role.ADMIN, Role.HR, Role.HEAD),
    "measures.edit": measure_access("measure.edit"),
    "measures.evaluate": measure_access("measure.edit"),
    "measures.extend": measure_access("measure.edit"),
    "measures.export": roles(Role.ADMIN, Role.HR, Role.HEAD),
    "measures.import_upload": STAFF,
    "measures.import_confirm": STAFF,
    "measures.plan": roles(Role.ADMIN, Role.HR, Role.BOARD),  # the organisation-wide plan
    "measures.unit_plan": unit_in_scope(),
    # rounds: HR runs them; respondents and heads answer for their units
    "rounds.index": STAFF,
    "rounds.new": STAFF,
    "rounds.edit": STAFF,
    "rounds.open_round": STAFF,
    "rounds.dashboard_page": STAFF,
    "rounds.chart": STAFF,
    "rounds.remind": STAFF,
    "rounds.extend": STAFF,
    "rounds.close": STAFF,
    "rounds.manage": STAFF,
    "rounds.reopen": STAFF,
    "rounds.accept": STAFF,
    "rounds.extend_assignment": STAFF,
    "rounds.delegate": STAFF,
    "rounds.remind_one": STAFF,
    "rounds.email_texts": STAFF,
    "rounds.mine": roles(Role.ADMIN, Role.HR, Role.HEAD),
    "rounds.answer": assignment_access("assignment.read"),
    "rounds.autosave": assignment_access("assignment.edit"),
    "rounds.confirm": assignment_access("assignment.edit"),
    "rounds.view": assignment_access("assignment.read"),
    "rounds.view_pdf": assignment_access("assignment.read"),
    # results: HR/admin see every unit, a head their own units next to the organisation
    # totals, board members the totals only (the views narrow the groups by scope)
    "results.index": roles(Role.ADMIN, Role.HR, Role.HEAD, Role.BOARD),
    "results.round": roles(Role.ADMIN, Role.HR, Role.HEAD, Role.BOARD),
    "results.chart": roles(Role.ADMIN, Role.HR, Role.HEAD, Role.BOARD),
    "results.trend": roles(Role.ADMIN, Role.HR, Role.HEAD, Role.BOARD),
    "results.trend_chart": roles(Role.ADMIN, Role.HR, Role.HEAD, Role.BOARD),
    "results.export": roles(Role.ADMIN, Role.HR, Role.HEAD, Role.BOARD),
    "results.export_raw": roles(Role.ADMIN, Role.HR, Role.HEAD),  # no raw data for the board
    # anonymous surveys: respondents need no login and leave no trace; HR runs the rounds
    "anonymous.start": public,
    "anonymous.answer": public,
    "anonymous.saved": public,
    "anonymous.thanks": public,
    "anonymous.link": public,
    "anonymous.link_answer": public,
    "anonymous.index": STAFF,
    "anonymous.new": STAFF,
    "anonymous.detail": STAFF,
    "anonymous.open_round": STAFF,
    "anonymous.close_round": STAFF,
    "anonymous.codes": STAFF,
    "anonymous.code_word": STAFF,
    "anonymous.results_page": STAFF,
    "anonymous.chart": STAFF,  # the results page's charts: same readers
    "anonymous.export": STAFF,
    "anonymous.redact": STAFF,
    "anonymous.settings_page": STAFF,
    "anonymous.min_group_size": roles(Role.ADMIN),
    # board reports: HR writes and records the decision; board members read approved reports
    "boardreports.index": roles(Role.ADMIN, Role.HR, Role.BOARD),
    "boardreports.create": STAFF,
    "boardreports.edit": STAFF,
    "boardreports.preview": STAFF,
    "boardreports.document": STAFF,
    "boardreports.mark_sent": STAFF,
    "boardreports.back_to_draft": STAFF,
    "boardreports.decision": STAFF,
    "boardreports.archived": board_report_access(),
}

# Object-level decisions for views and templates: can("unit.edit"), can("unit.view", unit).
ACTIONS: dict[str, Callable[[Any, Any], bool]] = {
    "unit.view": lambda user, unit: may_view_unit(user, unit),
    "unit.edit": lambda user, obj: STAFF(user, {}),
    "user.manage": lambda user, obj: STAFF(user, {}),
    "user.grant_admin": lambda user, obj: user.is_authenticated and user.role == Role.ADMIN,
    "org.view_tree": lambda user, obj: RULES["organisation.tree"](user, {}),
    "measure.view": may_view_measure,
    "measure.edit": may_edit_measure,
    "measure.organisation_wide": lambda user, obj: STAFF(user, {}),
    "measure.import": lambda user, obj: STAFF(user, {}),
    "measure.organisation_plan": lambda user, obj: RULES["measures.plan"](user, {}),
    "assignment.edit": may_answer,
    "assignment.read": may_read_answer,
    "round.manage": lambda user, obj: STAFF(user, {}),
    "board_report.read": may_read_board_report,
    "settings.min_group_size": lambda user, obj: RULES["anonymous.min_group_size"](user, {}),
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
