"""Every route, for every role: who may open it is decided here, on one line per endpoint.

Adding a route? Add one line to EXPECTED (the roles that may use it), give its rule in
webapp/permissions.py RULES, and if its URL has a new argument, add a sample value to VIEW_ARGS.
If the allowed answer is not 200 (a redirect, 400 for a bad token), add it to STATUS_WHEN_ALLOWED.

Roles: anon (not logged in), admin, hr, board, head (the head of a förvaltning, asking for a
unit inside their subtree) and head_other (the same head, asking for a unit outside it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule

from tests import factories
from webapp import permissions
from webapp.organisation.models import Role
from webapp.organisation.models import Unit
from webapp.organisation.models import User

ROLES = ("anon", "admin", "hr", "head", "head_other", "board")
ALL = set(ROLES)
LOGGED_IN = ALL - {"anon"}
STAFF = {"admin", "hr"}
HEADS = {"head", "head_other"}  # for routes without a unit, head_other is just a head

# endpoint -> the roles that may use it.
EXPECTED: dict[str, set[str]] = {
    "static": ALL,
    # main
    "main.index": LOGGED_IN,
    "main.healthz": ALL,
    "main.set_language": ALL,
    "main.accessibility": ALL,
    "main.audit_log": STAFF,
    # auth
    "auth.login": ALL,
    "auth.logout": ALL,
    "auth.accept_invitation": ALL,
    "auth.forgot_password": ALL,
    "auth.reset_password": ALL,
    "auth.account": LOGGED_IN,
    # organisation
    "organisation.tree": STAFF | HEADS,
    "organisation.unit": STAFF | {"head"},
    "organisation.unit_new": STAFF,
    "organisation.unit_edit": STAFF,
    "organisation.users": STAFF,
    "organisation.user_new": STAFF,
    "organisation.user_edit": STAFF,
    "organisation.user_invite": STAFF,
    # questionnaires (head_other asks for a file somebody else uploaded)
    "questionnaires.index": STAFF,
    "questionnaires.preview": STAFF,
    "questionnaires.attachment": STAFF | {"head"},
    # measures (head_other asks for a measure of a unit outside the head's scope)
    "measures.index": STAFF | HEADS,
    "measures.detail": STAFF | {"head"},
    "measures.new": STAFF | HEADS,
    "measures.edit": STAFF | {"head"},
    "measures.evaluate": STAFF | {"head"},
    "measures.extend": STAFF | {"head"},
    "measures.export": STAFF | HEADS,
    "measures.import_upload": STAFF,
    "measures.import_confirm": STAFF,
    "measures.plan": STAFF | {"board"},
    "measures.unit_plan": STAFF | {"head"},
    # anonymous surveys: the respondent pages are public, HR runs the surveys, admin sets k
    "anonymous.start": ALL,
    "anonymous.answer": ALL,
    "anonymous.saved": ALL,
    "anonymous.thanks": ALL,
    "anonymous.link": ALL,
    "anonymous.link_answer": ALL,
    "anonymous.index": STAFF,
    "anonymous.new": STAFF,
    "anonymous.detail": STAFF,
    "anonymous.open_round": STAFF,
    "anonymous.close_round": STAFF,
    "anonymous.codes": STAFF,
    "anonymous.code_word": STAFF,
    "anonymous.results_page": STAFF,
    "anonymous.chart": STAFF,
    "anonymous.export": STAFF,
    "anonymous.redact": STAFF,
    "anonymous.settings_page": STAFF,
    "anonymous.min_group_size": {"admin"},
    # results (a head sees own units next to totals; the board totals only, no raw answers)
    "results.index": STAFF | HEADS | {"board"},
    "results.round": STAFF | HEADS | {"board"},
    "results.chart": STAFF | HEADS | {"board"},
    "results.trend": STAFF | HEADS | {"board"},
    "results.trend_chart": STAFF | HEADS | {"board"},
    "results.export": STAFF | HEADS | {"board"},
    "results.export_raw": STAFF | HEADS,
    # rounds: HR runs them; the head answers for units in scope (head_other: a unit outside)
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
    "rounds.mine": STAFF | HEADS,
    "rounds.answer": STAFF | {"head"},
    "rounds.autosave": {"head"},
    "rounds.confirm": {"head"},
    "rounds.view": STAFF | {"head"},
    "rounds.view_pdf": STAFF | {"head"},
    # board reports: HR writes them; the board reads approved ones (the sample is a draft)
    "boardreports.index": STAFF | {"board"},
    "boardreports.create": STAFF,
    "boardreports.edit": STAFF,
    "boardreports.preview": STAFF,
    "boardreports.document": STAFF,
    "boardreports.mark_sent": STAFF,
    "boardreports.back_to_draft": STAFF,
    "boardreports.decision": STAFF,
    "boardreports.archived": STAFF,
}

# endpoint -> the status of an allowed GET when it is not 200: one code for every role, or
# {role: code} with "*" for the other roles.
STATUS_WHEN_ALLOWED: dict[str, int | dict[str, int]] = {
    "auth.login": {"anon": 200, "*": 302},  # a logged-in user goes to the start page
    "auth.accept_invitation": 400,  # the sample token is invalid for everybody
    "auth.reset_password": 400,
    "anonymous.answer": 302,  # no code in the session: back to the code page
    "anonymous.link": 404,  # the sample token is no open link
    "anonymous.link_answer": 404,
    "anonymous.export": 302,  # the sample survey is a draft: no results yet
    "anonymous.chart": 404,  # ... and no chart
    "rounds.edit": 302,  # the sample round is open: editing sends HR to the dashboard
    "rounds.answer": {"admin": 302, "hr": 302, "*": 200},  # staff read, they do not answer
    "boardreports.archived": 404,  # the sample report is a draft: nothing archived yet
}


@dataclass
class World:
    """The objects the URLs point at, built once per test."""

    users: dict[str, User]
    unit_in: Unit  # below the head's förvaltning: in the head's scope
    unit_out: Unit  # in another förvaltning: outside the head's scope
    target_user: User  # an invited head whom staff may edit and invite
    cache: dict[str, Any] = field(default_factory=dict)

    def once(self, key: str, make: Callable[[], Any]) -> Any:
        """Create an object the first time a URL needs it, e.g. a measure for `measure_id`."""
        if key not in self.cache:
            self.cache[key] = make()
        return self.cache[key]


# view argument -> sample value for a role. head_other gets something outside the head's scope.
VIEW_ARGS: dict[str, Callable[[World, str], Any]] = {
    "unit_id": lambda w, role: (w.unit_out if role == "head_other" else w.unit_in).id,
    "user_id": lambda w, role: w.target_user.id,
    "token": lambda w, role: "ogiltig-token",
    "name": lambda w, role: "medarbetarenkat",
    "measure_id": lambda w, role: w.once(
        f"measure-{role == 'head_other'}",
        lambda: factories.gen_measure(w.unit_out if role == "head_other" else w.unit_in)).id,
    "year": lambda w, role: 2026,
    "fmt": lambda w, role: "csv",
    "round_id": lambda w, role: w.once("round", lambda: _round(w)).id,
    "image": lambda w, role: "svg",
    "assignment_id": lambda w, role: w.once("round", lambda: _round(w)).assignments[
        1 if role == "head_other" else 0].id,
    "survey_id": lambda w, role: w.once("survey", _anonymous_survey).id,
    "report_id": lambda w, role: w.once("report", lambda: _board_report(w)).id,
    "ext": lambda w, role: "pdf",
    "attachment_id": lambda w, role: _attachment(
        w, w.target_user if role == "head_other" else w.users["head"]).id,
}


def _attachment(world: World, uploader: User) -> Any:
    """Return a stored attachment uploaded by `uploader` (created once per uploader)."""
    import io

    from werkzeug.datastructures import FileStorage

    from webapp.extensions import db
    from webapp.questionnaires.services import store_attachment

    def make() -> Any:
        upload = FileStorage(stream=io.BytesIO(b"%PDF-1.4 test"), filename="protokoll.pdf")
        item = store_attachment(upload, "samverkan_protokoll", uploader)
        db.session.commit()
        return item

    return world.once(f"attachment-{uploader.id}", make)


def _round(world: World) -> Any:
    """Return an open round of the test questionnaire sent to both sample units."""
    import tempfile
    from pathlib import Path

    folder = Path(tempfile.mkdtemp(prefix="aktiva-routes-"))
    return factories.gen_round([world.unit_in, world.unit_out], folder)


def _board_report(world: World) -> Any:
    """Return a draft board report of the sample round."""
    from webapp.boardreports.services import create_draft
    from webapp.extensions import db

    report = create_draft(world.once("round", lambda: _round(world)))
    db.session.commit()
    return report


def _anonymous_survey() -> Any:
    """Return a draft anonymous survey (the pages of a draft exist for staff)."""
    import datetime as dt
    from pathlib import Path

    from flask import current_app

    from webapp.anonymous.models import AnonymousRound
    from webapp.extensions import db
    from webapp.questionnaires.services import freeze
    from webapp.questionnaires.services import read_entry

    entry = read_entry(Path(current_app.config["QUESTIONNAIRE_FOLDER"]) / "medarbetarenkat.yaml")
    version = freeze(entry.definition)
    survey = AnonymousRound(title="Enkät", year=2026, questionnaire_version_id=version.id,
                            opens_on=dt.date(2026, 3, 1), closes_on=dt.date(2026, 3, 20))
    db.session.add(survey)
    db.session.commit()
    return survey


@pytest.fixture
def world(app: Flask) -> World:
    kom = factories.gen_unit(code="KOM", name="Kommunen")
    soc = factories.gen_unit(kom, code="SOC", name="Socialförvaltningen")
    ifo = factories.gen_unit(soc, code="SOC-IFO", name="IFO", kind="verksamhet")
    buf = factories.gen_unit(kom, code="BUF", name="Barn- och utbildning")
    head = factories.gen_user(Role.HEAD, units=[soc])
    users = {
        "admin": factories.gen_user(Role.ADMIN),
        "hr": factories.gen_user(Role.HR),
        "board": factories.gen_user(Role.BOARD),
        "head": head,
        "head_other": head,
    }
    target = factories.gen_user(Role.HEAD, units=[buf], password=None, name="Inbjuden Chef")
    return World(users=users, unit_in=ifo, unit_out=buf, target_user=target)


def _rules(app: Flask) -> list[Rule]:
    """Return the rules to walk: all but static, and only those with an expectation (the
    completeness test below names the others)."""
    return [r for r in app.url_map.iter_rules()
            if r.endpoint != "static" and r.endpoint in EXPECTED]


def _url(rule: Rule, world: World, role: str) -> str:
    missing = [arg for arg in rule.arguments if arg not in VIEW_ARGS]
    assert not missing, (f"{rule.endpoint} ({rule.rule}): add a sample value for "
                         f"{', '.join(missing)} to VIEW_ARGS in {__name__}")
    values = {arg: VIEW_ARGS[arg](world, role) for arg in rule.arguments}
    built = rule.build(values, append_unknown=False)
    assert built is not None, f"cannot build {rule.rule} from {values}"
    return built[1]


def _client(app: Flask, world: World, role: str) -> FlaskClient:
    client = app.test_client()
    if role != "anon":
        user = world.users[role]
        response = client.post("/logga-in", data={"email": user.email,
                                                  "password": factories.PASSWORD})
        assert response.status_code == 302, f"login as {role} failed"
    return client


def _allowed_status(endpoint: str, role: str) -> int:
    status = STATUS_WHEN_ALLOWED.get(endpoint, 200)
    if isinstance(status, dict):
        return status.get(role, status["*"])
    return status


def _is_login_redirect(response: Any) -> bool:
    """Whether the permission check sent an anonymous visitor to log in first."""
    if response.status_code != 302:
        return False
    location = urlsplit(response.headers["Location"])
    return location.path == "/logga-in" and location.query.startswith("next=")


def _check(app: Flask, world: World, role: str, rule: Rule) -> list[str]:
    """Request the rule as `role`; return what differs from EXPECTED."""
    allowed = role in EXPECTED[rule.endpoint]
    url = _url(rule, world, role)
    where = f"{role} {sorted(rule.methods - {'HEAD', 'OPTIONS'})} {url} ({rule.endpoint})"
    client = _client(app, world, role)
    denied_answer = "302 to /logga-in" if role == "anon" else "403"
    problems = []
    if "GET" in rule.methods:
        response = client.get(url)
        if allowed:
            want = _allowed_status(rule.endpoint, role)
            if response.status_code != want:
                problems.append(f"{where}: allowed, expected {want}, got {response.status_code}")
        elif not (_is_login_redirect(response) if role == "anon"
                  else response.status_code == 403):
            problems.append(f"{where}: denied, expected {denied_answer}, "
                            f"got {response.status_code}")
        response.close()
    if "POST" in rule.methods and (not allowed or "GET" not in rule.methods):
        # A POST with an empty form: denied roles must be stopped before the view runs; allowed
        # roles of POST-only routes must get past the permission check (GET+POST routes are
        # covered by their GET).
        response = client.post(url, data={})
        refused = _is_login_redirect(response) or response.status_code == 403
        if allowed and (refused or response.status_code >= 500):
            problems.append(f"{where}: POST allowed, got {response.status_code} "
                            f"{response.headers.get('Location', '')}")
        if not allowed and not (_is_login_redirect(response) if role == "anon"
                                else response.status_code == 403):
            problems.append(f"{where}: POST denied, expected {denied_answer}, "
                            f"got {response.status_code}")
        response.close()
    return problems


@pytest.mark.parametrize("role", ROLES)
def test_routes_by_role(app: Flask, world: World, role: str) -> None:
    problems = [p for rule in _rules(app) for p in _check(app, world, role, rule)]
    assert not problems, "\n".join(problems)


def test_every_endpoint_has_a_rule_and_an_expectation(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    no_rule = sorted(endpoints - set(permissions.RULES))
    no_expectation = sorted(endpoints - set(EXPECTED))
    assert not no_rule, f"endpoints without a rule in webapp/permissions.py RULES: {no_rule}"
    assert not no_expectation, (
        f"endpoints without a line in EXPECTED in {__name__}: {no_expectation}")
    assert not set(permissions.RULES) - endpoints, (
        f"rules for endpoints that do not exist: {sorted(set(permissions.RULES) - endpoints)}")
    assert not set(EXPECTED) - endpoints, (
        f"expectations for endpoints that do not exist: {sorted(set(EXPECTED) - endpoints)}")
    assert set(EXPECTED) == set(permissions.RULES) == endpoints


def test_expected_table_only_names_known_roles() -> None:
    for endpoint, roles in EXPECTED.items():
        assert roles <= ALL, f"{endpoint}: unknown roles {roles - ALL}"
    for endpoint in STATUS_WHEN_ALLOWED:
        assert endpoint in EXPECTED, endpoint
