"""The organisation tree, unit pages and forms, and user administration."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests import factories
from tests.conftest import AuthActions
from webapp.audit import AuditEntry
from webapp.extensions import db
from webapp.organisation.models import Role
from webapp.organisation.models import Unit
from webapp.organisation.models import User


def _text(html: str) -> str:
    """Return the visible text of a page with tags removed and whitespace collapsed."""
    # Collapse only ASCII whitespace: Swedish numbers use a no-break space (1\u00a0953).
    return re.sub(r"[ \t\r\n]+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def _options(html: str, select_name: str) -> dict[str, str]:
    """Return {value: label} of the options of a <select> on a page."""
    match = re.search(rf'<select[^>]*name="{select_name}"[^>]*>(.*?)</select>', html, re.S)
    assert match, f"no select {select_name}"
    return {value: unescape(label).strip()
            for value, label in re.findall(r'<option[^>]*value="([^"]*)"[^>]*>(.*?)</option>',
                                           match.group(1), re.S)}


def _row(html: str, needle: str) -> str:
    """Return the visible text of the table row that contains `needle`."""
    rows = [_text(r) for r in re.findall(r"<tr>(.*?)</tr>", html, re.S)]
    matching = [r for r in rows if needle in r]
    assert len(matching) == 1, f"{needle!r} in {len(matching)} rows"
    return matching[0]


def _audit(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)
                                   .order_by(AuditEntry.id)))


@pytest.fixture
def org(app: Flask) -> dict[str, Any]:
    """A small municipality: two förvaltningar, one with two units below it."""
    kom = factories.gen_unit(code="KOM", name="Storstads kommun", employees=5)
    soc = factories.gen_unit(kom, code="SOC", name="Socialförvaltningen", employees=40)
    ifo = factories.gen_unit(soc, code="IFO", name="Individ- och familjeomsorg",
                             kind="verksamhet", employees=1200)
    boende = factories.gen_unit(ifo, code="IFO-B", name="Boendet", kind="enhet", employees=8)
    buf = factories.gen_unit(kom, code="BUF", name="Barn- och utbildning", employees=700)
    head = factories.gen_user(Role.HEAD, units=[soc], name="Sara Chef", title="Förvaltningschef")
    return {"kom": kom, "soc": soc, "ifo": ifo, "boende": boende, "buf": buf, "head": head,
            "hr": factories.gen_user(Role.HR, name="Hanna HR"),
            "admin": factories.gen_user(Role.ADMIN, name="Alex Admin")}


def _unit_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"name": "Ny enhet", "code": "NY", "kind": "enhet",
                            "parent_id": "None", "employees": "7", "active": "y"}
    data.update(overrides)
    return data


# --- tree and unit pages ---------------------------------------------------------------------


def test_tree_lists_every_unit_for_hr(client: FlaskClient, auth: AuthActions,
                                      org: dict[str, Any]) -> None:
    auth.login_as(org["hr"])
    page = _text(client.get("/organisation").get_data(as_text=True))
    for name in ("Storstads kommun", "Socialförvaltningen", "Individ- och familjeomsorg", "Boendet",
                 "Barn- och utbildning"):
        assert name in page
    # Totals count the units below: 5 + 40 + 1200 + 8 + 700.
    assert "KOM · 1\u00a0953 anställda" in page
    assert "Ny enhet" in page


def test_head_sees_only_their_subtree(client: FlaskClient, auth: AuthActions,
                                      org: dict[str, Any]) -> None:
    auth.login_as(org["head"])
    page = _text(client.get("/organisation").get_data(as_text=True))
    assert "Socialförvaltningen" in page
    assert "Individ- och familjeomsorg" in page
    assert "Boendet" in page
    assert "Storstads kommun" not in page
    assert "Barn- och utbildning" not in page
    assert "Ny enhet" not in page, "a head cannot create units"
    assert client.get(f"/organisation/enheter/{org['boende'].id}").status_code == 200
    assert client.get(f"/organisation/enheter/{org['buf'].id}").status_code == 403
    assert client.get(f"/organisation/enheter/{org['kom'].id}").status_code == 403


def test_unit_page_shows_heads_and_total_employees(client: FlaskClient, auth: AuthActions,
                                                   org: dict[str, Any]) -> None:
    auth.login_as(org["hr"])
    response = client.get(f"/organisation/enheter/{org['soc'].id}")
    assert response.status_code == 200
    page = _text(response.get_data(as_text=True))
    assert "Chef(er) Sara Chef (Förvaltningschef)" in page
    assert "Anställda i enheten 40" in page
    assert "Anställda inklusive enheter under 1\u00a0248" in page
    child = _row(response.get_data(as_text=True), "Individ- och familjeomsorg")
    assert "Verksamhet" in child
    assert child.endswith("1\u00a0208")
    assert "Redigera" in page


def test_unknown_unit_is_404(client: FlaskClient, auth: AuthActions,
                             org: dict[str, Any]) -> None:
    auth.login_as(org["hr"])
    response = client.get("/organisation/enheter/99999")
    assert response.status_code == 404
    assert "Sidan hittades inte" in response.get_data(as_text=True)


def test_head_breadcrumbs_do_not_link_above_their_scope(client: FlaskClient, auth: AuthActions,
                                                        org: dict[str, Any]) -> None:
    auth.login_as(org["head"])
    page = client.get(f"/organisation/enheter/{org['ifo'].id}").get_data(as_text=True)
    assert f'href="/organisation/enheter/{org["soc"].id}"' in page
    assert f'href="/organisation/enheter/{org["kom"].id}"' not in page
    assert "Storstads kommun" in page
    assert "Redigera" not in page


# --- creating and editing units --------------------------------------------------------------


def test_create_unit(client: FlaskClient, auth: AuthActions, org: dict[str, Any]) -> None:
    auth.login_as(org["hr"])
    form = client.get(f"/organisation/enheter/ny?parent={org['soc'].id}").get_data(as_text=True)
    assert re.search(rf'<option selected value="{org["soc"].id}">', form)
    response = client.post("/organisation/enheter/ny", data=_unit_data(
        parent_id=str(org["soc"].id), heads=[str(org["head"].id)]))
    assert response.status_code == 302
    unit = db.session.scalar(select(Unit).where(Unit.code == "NY"))
    assert unit is not None
    assert response.headers["Location"] == f"/organisation/enheter/{unit.id}"
    assert (unit.name, unit.kind, unit.employees, unit.active) == ("Ny enhet", "enhet", 7, True)
    assert unit.parent_id == org["soc"].id
    assert [h.name for h in unit.heads] == ["Sara Chef"]
    [entry] = _audit("unit.created")
    assert (entry.actor, entry.object_type, entry.object_id) == (
        org["hr"].email, "Unit", str(unit.id))
    assert entry.summary == "NY Ny enhet"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Enheten Ny enhet är skapad." in page


def test_edit_unit(client: FlaskClient, auth: AuthActions, org: dict[str, Any]) -> None:
    auth.login_as(org["admin"])
    ifo = org["ifo"]
    form = client.get(f"/organisation/enheter/{ifo.id}/redigera").get_data(as_text=True)
    assert 'value="Individ- och familjeomsorg"' in form
    response = client.post(f"/organisation/enheter/{ifo.id}/redigera", data=_unit_data(
        name="IFO", code="IFO", kind="verksamhet", parent_id=str(org["buf"].id),
        employees="1300"))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/organisation/enheter/{ifo.id}"
    db.session.expire_all()
    ifo = db.session.get(Unit, ifo.id)
    assert (ifo.name, ifo.employees, ifo.parent_id) == ("IFO", 1300, org["buf"].id)
    [entry] = _audit("unit.updated")
    assert entry.actor == org["admin"].email
    assert entry.details["changes"] == {"name": ["Individ- och familjeomsorg", "IFO"],
                                        "parent_id": [org["soc"].id, org["buf"].id],
                                        "employees": [1200, 1300]}


def test_duplicate_code_is_shown_at_the_field_and_in_the_summary(
        client: FlaskClient, auth: AuthActions, org: dict[str, Any]) -> None:
    auth.login_as(org["hr"])
    response = client.post("/organisation/enheter/ny", data=_unit_data(code="SOC"))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    message = "Koden används redan av en annan enhet."
    assert f'<p class="error-message" id="code-error">{message}</p>' in page
    assert f'<a href="#code">Kod: {message}</a>' in page
    assert 'aria-describedby="code-hint code-error"' in page
    assert db.session.scalar(select(Unit).where(Unit.name == "Ny enhet")) is None
    assert _audit("unit.created") == []


def test_editing_a_unit_may_keep_its_own_code(client: FlaskClient, auth: AuthActions,
                                              org: dict[str, Any]) -> None:
    auth.login_as(org["hr"])
    response = client.post(f"/organisation/enheter/{org['buf'].id}/redigera", data=_unit_data(
        name="Barn- och utbildning", code="BUF", kind="förvaltning",
        parent_id=str(org["kom"].id), employees="701"))
    assert response.status_code == 302


def test_unit_cannot_move_under_itself_or_its_descendants(
        client: FlaskClient, auth: AuthActions, org: dict[str, Any]) -> None:
    auth.login_as(org["hr"])
    soc = org["soc"]
    form = client.get(f"/organisation/enheter/{soc.id}/redigera").get_data(as_text=True)
    offered = _options(form, "parent_id")
    assert str(org["kom"].id) in offered
    assert str(org["buf"].id) in offered
    for unit in (soc, org["ifo"], org["boende"]):
        assert str(unit.id) not in offered, f"{unit.name} must not be offered"

    response = client.post(f"/organisation/enheter/{soc.id}/redigera", data=_unit_data(
        name="Socialförvaltningen", code="SOC", kind="förvaltning",
        parent_id=str(org["boende"].id), employees="40"))
    assert response.status_code == 200
    assert 'id="parent_id-error"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Unit, soc.id).parent_id == org["kom"].id
    assert _audit("unit.updated") == []


def test_negative_employees_get_a_swedish_message(client: FlaskClient, auth: AuthActions,
                                                  org: dict[str, Any]) -> None:
    auth.login_as(org["hr"])
    page = client.post("/organisation/enheter/ny",
                       data=_unit_data(employees="-3")).get_data(as_text=True)
    assert '<a href="#employees">Antal anställda i enheten: Ange ett antal från 0.</a>' in page


# --- users -----------------------------------------------------------------------------------


def test_users_list(client: FlaskClient, auth: AuthActions, org: dict[str, Any]) -> None:
    invited = factories.gen_user(Role.BOARD, password=None, name="Ingrid Inbjuden")
    auth.login_as(org["hr"])
    page = client.get("/anvandare").get_data(as_text=True)
    head = _row(page, org["head"].email)
    for value in ("Sara Chef", "Förvaltningschef", "Chef", "Socialförvaltningen", "Aktiv"):
        assert value in head
    assert "Skicka inbjudan" not in head
    board = _row(page, invited.email)
    for value in ("Ingrid Inbjuden", "Förtroendevald (läsare)", "Inbjuden", "Skicka inbjudan"):
        assert value in board
    assert len(re.findall(r"<tr>", page)) == 1 + 4, "header row and four users"


def test_create_user(client: FlaskClient, auth: AuthActions, org: dict[str, Any],
                     outbox: factories.Outbox) -> None:
    auth.login_as(org["hr"])
    response = client.post("/anvandare/ny", data={
        "name": "Per Lind", "email": "Per.Lind@Kommun.test", "title": "Ordförande",
        "role": "board", "active": "y"})
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "per.lind@kommun.test"))
    assert user is not None
    assert (user.name, user.role, user.title, user.password_hash) == (
        "Per Lind", "board", "Ordförande", None)
    assert outbox.messages() == [], "no invitation unless asked for"
    [entry] = _audit("user.created")
    assert (entry.actor, entry.summary) == (org["hr"].email, "per.lind@kommun.test")


def test_duplicate_email_is_refused(client: FlaskClient, auth: AuthActions,
                                    org: dict[str, Any]) -> None:
    auth.login_as(org["hr"])
    response = client.post("/anvandare/ny", data={
        "name": "Kopia", "email": org["head"].email.upper(), "role": "head", "active": "y"})
    assert response.status_code == 200
    assert "Det finns redan en användare med den e-postadressen." in response.get_data(
        as_text=True)


def test_hr_cannot_create_an_admin(client: FlaskClient, auth: AuthActions,
                                   org: dict[str, Any]) -> None:
    auth.login_as(org["hr"])
    roles = _options(client.get("/anvandare/ny").get_data(as_text=True), "role")
    assert set(roles) == {"hr", "head", "board"}
    response = client.post("/anvandare/ny", data={
        "name": "Smygadmin", "email": "smyg@kommun.test", "role": "admin", "active": "y"})
    assert response.status_code == 200
    assert 'id="role-error"' in response.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.email == "smyg@kommun.test")) is None


def test_admin_can_create_an_admin(client: FlaskClient, auth: AuthActions,
                                   org: dict[str, Any]) -> None:
    auth.login_as(org["admin"])
    roles = _options(client.get("/anvandare/ny").get_data(as_text=True), "role")
    assert set(roles) == {"admin", "hr", "head", "board"}
    response = client.post("/anvandare/ny", data={
        "name": "Ny Admin", "email": "admin2@kommun.test", "role": "admin", "active": "y"})
    assert response.status_code == 302
    assert db.session.scalar(select(User.role).where(User.email == "admin2@kommun.test")) == "admin"


def test_hr_cannot_edit_an_admin(client: FlaskClient, auth: AuthActions,
                                 org: dict[str, Any]) -> None:
    auth.login_as(org["hr"])
    admin = org["admin"]
    assert client.get(f"/anvandare/{admin.id}/redigera").status_code == 403
    response = client.post(f"/anvandare/{admin.id}/redigera", data={
        "name": "Hackad", "email": admin.email, "role": "hr", "active": "y"})
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(User, admin.id).name == "Alex Admin"
    users_page = client.get("/anvandare").get_data(as_text=True)
    assert f"/anvandare/{admin.id}/redigera" not in users_page


@pytest.mark.parametrize("change", [{"role": "head"}, {"active": ""}])
def test_user_cannot_change_own_role_or_deactivate_self(
        client: FlaskClient, auth: AuthActions, org: dict[str, Any],
        change: dict[str, str]) -> None:
    hr = org["hr"]
    auth.login_as(hr)
    data = {"name": hr.name, "email": hr.email, "role": "hr", "active": "y"}
    data.update(change)
    data = {k: v for k, v in data.items() if v}
    response = client.post(f"/anvandare/{hr.id}/redigera", data=data)
    assert response.status_code == 200
    assert "Du kan inte ändra din egen roll eller stänga ditt eget konto." in response.get_data(
        as_text=True)
    db.session.expire_all()
    me = db.session.get(User, hr.id)
    assert (me.role, me.active) == ("hr", True)
    assert _audit("user.updated") == []


def test_user_can_edit_own_name(client: FlaskClient, auth: AuthActions,
                                org: dict[str, Any]) -> None:
    hr = org["hr"]
    auth.login_as(hr)
    response = client.post(f"/anvandare/{hr.id}/redigera", data={
        "name": "Hanna Persson", "email": hr.email, "role": "hr", "active": "y"})
    assert response.status_code == 302
    [entry] = _audit("user.updated")
    assert entry.details["changes"] == {"name": ["Hanna HR", "Hanna Persson"]}


def test_edit_user_writes_audit_entry(client: FlaskClient, auth: AuthActions,
                                      org: dict[str, Any]) -> None:
    auth.login_as(org["hr"])
    head = org["head"]
    form = client.get(f"/anvandare/{head.id}/redigera").get_data(as_text=True)
    assert re.search(rf'<option selected value="{org["soc"].id}">', form)
    response = client.post(f"/anvandare/{head.id}/redigera", data={
        "name": "Sara Chef", "email": head.email, "title": "Förvaltningschef", "role": "head",
        "units": [str(org["soc"].id), str(org["buf"].id)]})
    assert response.status_code == 302
    db.session.expire_all()
    head = db.session.get(User, head.id)
    assert head.active is False
    assert sorted(u.code for u in head.headed_units) == ["BUF", "SOC"]
    [entry] = _audit("user.updated")
    assert (entry.actor, entry.object_id) == (org["hr"].email, str(head.id))
    assert entry.details["changes"] == {"active": [True, False],
                                        "units": [["SOC"], ["BUF", "SOC"]]}


def test_invite_button_sends_invitation_only_once_needed(
        client: FlaskClient, auth: AuthActions, org: dict[str, Any],
        outbox: factories.Outbox) -> None:
    invited = factories.gen_user(Role.HEAD, password=None)
    auth.login_as(org["hr"])
    response = client.post(f"/anvandare/{invited.id}/bjud-in")
    assert response.status_code == 302
    assert [m["To"] for m in outbox.messages()] == [invited.email]
    assert [e.summary for e in _audit("user.invited")] == [invited.email]
    client.post(f"/anvandare/{org['head'].id}/bjud-in")
    assert len(outbox.messages()) == 1
    page = client.get("/anvandare").get_data(as_text=True)
    assert "Sara Chef har redan valt lösenord." in page


def test_inactive_user_gets_no_invitation(client: FlaskClient, auth: AuthActions,
                                          org: dict[str, Any],
                                          outbox: factories.Outbox) -> None:
    auth.login_as(org["hr"])
    response = client.post("/anvandare/ny", data={
        "name": "Vilande Konto", "email": "vilande@kommun.test", "role": "head",
        "send_invitation": "y"}, follow_redirects=True)
    assert response.status_code == 200
    assert outbox.messages() == [], "an inactive account's link would only be refused"
    assert ("Ingen inbjudan skickades: kontot för vilande@kommun.test är inte aktivt. "
            "Aktivera det först.") in response.get_data(as_text=True)
    assert _audit("user.invited") == []
