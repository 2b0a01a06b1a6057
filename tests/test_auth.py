"""Login, logout, invitations, password resets and the login rate limit."""

from __future__ import annotations

import re
import time
from html import unescape

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous.timed import TimestampSigner
from sqlalchemy import select

from tests import factories
from tests.conftest import AuthActions
from webapp.extensions import db
from webapp.organisation.models import Role
from webapp.organisation.models import User

WRONG = "Fel e-postadress eller lösenord."
NEW_PASSWORD = "ett helt nytt lösenord"
RESET_FLASH = "Om adressen finns hos oss har vi skickat en länk för att välja nytt lösenord."


def _errors(html: str) -> list[str]:
    """Return the texts of the field error messages on a page."""
    return [unescape(m).strip()
            for m in re.findall(r'<p class="error-message"[^>]*>(.*?)</p>', html, re.S)]


def _flashes(html: str) -> list[str]:
    return [unescape(m).strip()
            for m in re.findall(r'<div class="flash flash-\w+"[^>]*>(.*?)</div>', html, re.S)]


def _without_csrf(html: str) -> str:
    """Blank out the CSRF token, which differs on every page."""
    return re.sub(r"<input[^>]*csrf_token[^>]*>", "<csrf>", html)


def _link(body: str, prefix: str) -> str:
    """Return the path of the first link in a mail body that starts with `prefix`."""
    match = re.search(r"http://aktiva\.test(" + re.escape(prefix) + r"[\w.\-]+)", body)
    assert match, f"no {prefix} link in mail:\n{body}"
    return match.group(1)


def _user(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email))
    assert user is not None
    return user


# --- login and logout ------------------------------------------------------------------------


def test_login_success_redirects_to_start_page(app: Flask, client: FlaskClient) -> None:
    user = factories.gen_user(name="Hanna Persson")
    response = client.post("/logga-in", data={"email": user.email, "password": factories.PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert "Hej Hanna" in page
    assert db.session.get(User, user.id).last_login_at is not None


def test_login_email_is_case_insensitive(app: Flask, client: FlaskClient) -> None:
    user = factories.gen_user(email="anna.berg@kommun.test")
    response = client.post("/logga-in", data={"email": "  Anna.Berg@Kommun.TEST ",
                                               "password": factories.PASSWORD})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert db.session.get(User, user.id).last_login_at is not None


def test_unknown_email_and_wrong_password_get_identical_answers(
        app: Flask, client: FlaskClient) -> None:
    user = factories.gen_user(email="finns@kommun.test")
    wrong_password = client.post("/logga-in", data={"email": user.email, "password": "fel fel fel"})
    unknown = client.post("/logga-in", data={"email": "saknas@kommun.test",
                                              "password": factories.PASSWORD})
    assert wrong_password.status_code == unknown.status_code == 200
    assert _errors(wrong_password.get_data(as_text=True)) == [WRONG]
    assert _errors(unknown.get_data(as_text=True)) == [WRONG]
    # Apart from the echoed address the two pages are the same, byte for byte.
    same_a = _without_csrf(wrong_password.get_data(as_text=True)).replace(user.email, "ADDRESS")
    same_b = _without_csrf(unknown.get_data(as_text=True)).replace("saknas@kommun.test",
                                                                    "ADDRESS")
    assert same_a == same_b
    assert client.get("/").status_code == 302


def test_inactive_user_cannot_log_in(app: Flask, client: FlaskClient) -> None:
    user = factories.gen_user(active=False)
    response = client.post("/logga-in", data={"email": user.email, "password": factories.PASSWORD})
    assert response.status_code == 200
    assert _errors(response.get_data(as_text=True)) == [WRONG]
    assert client.get("/").headers["Location"].startswith("/logga-in")


def test_deactivated_user_is_logged_out_on_next_request(
        app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    user = factories.gen_user()
    auth.login_as(user)
    assert client.get("/").status_code == 200
    user.active = False
    db.session.commit()
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/logga-in")


@pytest.mark.parametrize(("target", "expected"), [
    ("/organisation", "/organisation"),
    ("/organisation?x=1", "/organisation?x=1"),
    ("https://evil.example", "/"),
    ("https://evil.example/organisation", "/"),
    ("//evil.example/", "/"),
    ("/\\evil.example", "/"),
    ("javascript:alert(1)", "/"),
    ("", "/"),
])
def test_next_only_follows_local_paths(app: Flask, client: FlaskClient, target: str,
                                       expected: str) -> None:
    user = factories.gen_user()
    response = client.post("/logga-in", query_string={"next": target},
                           data={"email": user.email, "password": factories.PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_next_travels_through_the_login_form(app: Flask, client: FlaskClient) -> None:
    user = factories.gen_user()
    redirect = client.get("/organisation")
    assert redirect.headers["Location"] == "/logga-in?next=/organisation"
    page = client.get(redirect.headers["Location"]).get_data(as_text=True)
    assert 'name="next" value="/organisation"' in page
    response = client.post("/logga-in", data={"email": user.email, "next": "/organisation",
                                              "password": factories.PASSWORD})
    assert response.headers["Location"] == "/organisation"


def test_logout_is_post_only(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    auth.login_as(factories.gen_user())
    assert client.get("/logga-ut").status_code == 405
    assert client.get("/").status_code == 200, "a GET must not log the user out"
    response = client.post("/logga-ut")
    assert response.status_code == 302
    assert response.headers["Location"] == "/logga-in"
    assert "Du är utloggad." in _flashes(client.get("/logga-in").get_data(as_text=True))
    assert client.get("/").headers["Location"].startswith("/logga-in")


def test_logged_in_user_visiting_login_goes_to_start(app: Flask, client: FlaskClient,
                                                     auth: AuthActions) -> None:
    auth.login_as(factories.gen_user())
    response = client.get("/logga-in")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_passwords_are_stored_as_argon2id(app: Flask) -> None:
    user = factories.gen_user()
    assert user.password_hash is not None
    assert user.password_hash.startswith("$argon2id$")
    assert factories.PASSWORD not in user.password_hash


# --- invitations -----------------------------------------------------------------------------


def _invite_new_head(client: FlaskClient, auth: AuthActions, email: str) -> None:
    """Log in as HR and create a head with an invitation, as HR does in the browser."""
    hr = factories.gen_user(role=Role.HR)
    unit = factories.gen_unit(name="Socialförvaltningen")
    auth.login_as(hr)
    response = client.post("/anvandare/ny", data={
        "name": "Ny Chef", "email": email, "title": "Enhetschef", "role": "head",
        "units": [str(unit.id)], "active": "y", "send_invitation": "y",
    })
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"] == "/anvandare"
    auth.logout()


def test_invitation_flow_end_to_end(app: Flask, client: FlaskClient, auth: AuthActions,
                                    outbox: factories.Outbox) -> None:
    _invite_new_head(client, auth, "ny.chef@kommun.test")
    messages = outbox.messages()
    assert len(messages) == 1
    assert messages[0]["To"] == "ny.chef@kommun.test"
    assert messages[0]["Subject"] == "Inbjudan till Aktiva"
    invited = _user("ny.chef@kommun.test")
    assert invited.password_hash is None
    assert [u.name for u in invited.headed_units] == ["Socialförvaltningen"]

    link = _link(outbox.last_body(), "/inbjudan/")
    form = client.get(link)
    assert form.status_code == 200
    page = form.get_data(as_text=True)
    assert "Välkommen till Aktiva" in page
    assert "ny.chef@kommun.test" in page

    response = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    start = client.get("/").get_data(as_text=True)
    assert "Hej Ny" in start
    assert "Välkommen! Ditt lösenord är sparat." in _flashes(start)
    db.session.expire_all()
    assert _user("ny.chef@kommun.test").password_hash.startswith("$argon2id$")

    # The link is spent: it no longer works, even for somebody else's browser.
    auth.logout()
    reused = client.get(link)
    assert reused.status_code == 400
    assert "Länken gäller inte längre" in reused.get_data(as_text=True)
    assert client.post(link, data={"password": "kapat lösenord 123",
                                   "confirm": "kapat lösenord 123"}).status_code == 400
    auth.login("ny.chef@kommun.test", NEW_PASSWORD)
    assert client.get("/").status_code == 200


def test_invitation_rejects_short_or_mismatched_password(
        app: Flask, client: FlaskClient, auth: AuthActions, outbox: factories.Outbox) -> None:
    _invite_new_head(client, auth, "kort@kommun.test")
    link = _link(outbox.last_body(), "/inbjudan/")
    short = client.post(link, data={"password": "kort", "confirm": "kort"})
    assert short.status_code == 200
    assert _errors(short.get_data(as_text=True)) == ["Lösenordet måste ha minst 10 tecken."]
    mismatch = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "x"})
    assert _errors(mismatch.get_data(as_text=True)) == ["Lösenorden är inte lika."]
    assert _user("kort@kommun.test").password_hash is None


def test_expired_invitation_shows_link_invalid(app: Flask, client: FlaskClient,
                                               auth: AuthActions, outbox: factories.Outbox,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    # Sign the invitation as if it had been sent 15 days ago; it is valid for 14.
    signed_at = int(time.time()) - 15 * 24 * 3600
    with monkeypatch.context() as frozen:
        frozen.setattr(TimestampSigner, "get_timestamp", lambda self: signed_at)
        _invite_new_head(client, auth, "sen@kommun.test")
    link = _link(outbox.last_body(), "/inbjudan/")
    response = client.get(link)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "<title>Länken gäller inte" in page
    assert "Be om en ny länk" in page


@pytest.mark.parametrize("path", ["/inbjudan/inte-en-token", "/aterstall/inte-en-token"])
def test_tampered_token_is_rejected(app: Flask, client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 400
    assert "Länken gäller inte längre" in response.get_data(as_text=True)


def test_invitation_token_is_not_a_reset_token(app: Flask, client: FlaskClient,
                                               auth: AuthActions,
                                               outbox: factories.Outbox) -> None:
    _invite_new_head(client, auth, "syfte@kommun.test")
    token = _link(outbox.last_body(), "/inbjudan/").rsplit("/", 1)[1]
    assert client.get(f"/aterstall/{token}").status_code == 400


# --- password reset --------------------------------------------------------------------------


def test_password_reset_known_and_unknown_address_look_the_same(
        app: Flask, client: FlaskClient, outbox: factories.Outbox) -> None:
    user = factories.gen_user(email="glomsk@kommun.test")
    known = client.post("/glomt-losenord", data={"email": "Glomsk@Kommun.test"})
    assert known.status_code == 302
    assert known.headers["Location"] == "/logga-in"
    known_flash = _flashes(client.get("/logga-in").get_data(as_text=True))
    assert len(outbox.messages()) == 1
    assert outbox.messages()[0]["To"] == user.email
    assert outbox.messages()[0]["Subject"] == "Byt lösenord i Aktiva"

    unknown = client.post("/glomt-losenord", data={"email": "okand@kommun.test"})
    assert unknown.status_code == 302
    assert unknown.headers["Location"] == "/logga-in"
    unknown_flash = _flashes(client.get("/logga-in").get_data(as_text=True))
    assert len(outbox.messages()) == 1, "no mail for an unknown address"
    assert known_flash == unknown_flash == [RESET_FLASH]


def test_password_reset_for_inactive_user_sends_nothing(
        app: Flask, client: FlaskClient, outbox: factories.Outbox) -> None:
    user = factories.gen_user(active=False)
    client.post("/glomt-losenord", data={"email": user.email})
    assert outbox.messages() == []


def test_password_reset_for_invited_user_resends_invitation(
        app: Flask, client: FlaskClient, outbox: factories.Outbox) -> None:
    user = factories.gen_user(password=None)
    client.post("/glomt-losenord", data={"email": user.email})
    assert [m["Subject"] for m in outbox.messages()] == ["Inbjudan till Aktiva"]
    assert "/inbjudan/" in outbox.last_body()


def test_password_reset_link_works_once(app: Flask, client: FlaskClient, auth: AuthActions,
                                        outbox: factories.Outbox) -> None:
    user = factories.gen_user()
    client.post("/glomt-losenord", data={"email": user.email})
    link = _link(outbox.last_body(), "/aterstall/")
    assert client.get(link).status_code == 200
    response = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/logga-in"
    assert "Ditt nya lösenord är sparat. Logga in med det." in _flashes(
        client.get("/logga-in").get_data(as_text=True))

    assert client.get(link).status_code == 400
    assert client.post(link, data={"password": "ett tredje lösenord",
                                   "confirm": "ett tredje lösenord"}).status_code == 400
    old = client.post("/logga-in", data={"email": user.email, "password": factories.PASSWORD})
    assert _errors(old.get_data(as_text=True)) == [WRONG]
    new = client.post("/logga-in", data={"email": user.email, "password": NEW_PASSWORD})
    assert new.status_code == 302


def test_account_page_changes_password(app: Flask, client: FlaskClient,
                                       auth: AuthActions) -> None:
    user = factories.gen_user()
    auth.login_as(user)
    response = client.post("/konto", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert "Ditt nya lösenord är sparat. Du är utloggad på alla andra enheter." in _flashes(
        client.get("/konto").get_data(as_text=True))
    auth.logout()
    assert _errors(auth.login(user.email).get_data(as_text=True)) == [WRONG]
    assert auth.login(user.email, NEW_PASSWORD).status_code == 302


# --- rate limiting ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "app", [{"RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "3 per minute"}], indirect=True
)
def test_login_is_rate_limited(app: Flask, client: FlaskClient) -> None:
    data = {"email": "vem@kommun.test", "password": "gissning nummer ett"}
    statuses = [client.post("/logga-in", data=data).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    blocked = client.post("/logga-in", data=data)
    assert blocked.status_code == 429
    page = blocked.get_data(as_text=True)
    assert "För många försök" in page
    assert "Vänta en stund och försök igen." in page
    assert client.get("/logga-in").status_code == 200, "only POST is limited"


def test_changing_password_ends_the_other_sessions(app: Flask, client: FlaskClient,
                                                   auth: AuthActions) -> None:
    user = factories.gen_user()
    auth.login_as(user)
    other = app.test_client()  # the same person logged in on another computer
    AuthActions(other).login_as(user)
    assert other.get("/konto").status_code == 200
    response = client.post("/konto", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert client.get("/konto").status_code == 200  # this session goes on
    gone = other.get("/konto")
    assert gone.status_code == 302 and "/logga-in" in gone.headers["Location"]
