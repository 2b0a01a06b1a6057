"""The application shell: health check, security headers, cookies, CSRF, error pages,
language switch and the `aktiva` command line."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask.testing import FlaskCliRunner
from sqlalchemy import func
from sqlalchemy import select

from tests import factories
from tests.conftest import PG_URL
from tests.conftest import AuthActions
from tests.conftest import _reset_postgres
from tests.conftest import make_config
from webapp import create_app
from webapp import permissions
from webapp.config import DefaultConfig
from webapp.demo import DEMO_PASSWORD
from webapp.extensions import db
from webapp.organisation.models import Role
from webapp.organisation.models import Unit
from webapp.organisation.models import User

AKTIVA = Path(__file__).resolve().parent.parent / ".venv" / "bin" / "aktiva"
CSRF_MESSAGE = "Formuläret hade gått ut. Ladda om sidan och försök igen; inget har sparats."


@contextmanager
def _app_with(tmp_path: Path, drop: tuple[str, ...] = (), create_tables: bool = True,
              **overrides: Any) -> Iterator[Flask]:
    """Build an app like the `app` fixture, but with config keys removed (back to defaults)."""
    config = make_config(tmp_path, **overrides)
    for key in drop:
        del config[key]
    application = create_app(config)
    with application.app_context():
        if create_tables:
            db.create_all()
            if PG_URL:
                _reset_postgres()
        try:
            yield application
        finally:
            db.session.remove()
            if PG_URL and create_tables:
                _reset_postgres()
            db.engine.dispose()


# --- health check ----------------------------------------------------------------------------


def test_healthz_reports_ok(app: Flask, client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_reports_unreachable_database(tmp_path: Path) -> None:
    missing = tmp_path / "finns-inte" / "aktiva.sqlite"
    with _app_with(tmp_path, create_tables=False,
                   SQLALCHEMY_DATABASE_URI=f"sqlite:///{missing}") as application:
        response = application.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "unavailable"}


# --- security headers and cookies ------------------------------------------------------------


def _assert_security_headers(response: Any, path: str) -> None:
    headers = response.headers
    csp = headers.get("Content-Security-Policy", "")
    assert "default-src 'self'" in csp, path
    assert "frame-ancestors 'none'" in csp, path
    assert "'unsafe-inline'" not in csp, path
    assert "'unsafe-eval'" not in csp, path
    assert headers.get("X-Frame-Options") == "DENY", path
    assert headers.get("Referrer-Policy") == "same-origin", path
    assert headers.get("X-Content-Type-Options") == "nosniff", path
    assert headers.get("Cache-Control") == "no-store", path
    # The CSP forbids inline code, so the pages must not contain any.
    page = response.get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)", page), f"inline script on {path}"
    assert not re.search(r"\sstyle=", page), f"inline style on {path}"
    assert not re.search(r"\son[a-z]+=", page), f"inline event handler on {path}"


def test_security_headers_on_every_html_page(app: Flask, client: FlaskClient,
                                             auth: AuthActions) -> None:
    unit = factories.gen_unit()
    paths = ["/logga-in", "/glomt-losenord", "/tillganglighet", "/inbjudan/ogiltig",
             "/finns-inte"]
    for path in paths:
        response = client.get(path)
        assert response.mimetype == "text/html", path
        _assert_security_headers(response, path)
    auth.login_as(factories.gen_user(Role.ADMIN))
    for path in ["/", "/konto", "/organisation", f"/organisation/enheter/{unit.id}",
                 f"/organisation/enheter/{unit.id}/redigera", "/anvandare", "/anvandare/ny"]:
        response = client.get(path)
        assert response.status_code == 200, path
        _assert_security_headers(response, path)


def test_security_headers_on_json_and_static(app: Flask, client: FlaskClient) -> None:
    for path in ("/healthz", "/static/css/app.css"):
        response = client.get(path)
        assert response.status_code == 200
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        response.close()


def test_default_config_has_secure_cookies() -> None:
    assert DefaultConfig.SESSION_COOKIE_SECURE is True
    assert DefaultConfig.SESSION_COOKIE_HTTPONLY is True
    assert DefaultConfig.SESSION_COOKIE_SAMESITE == "Lax"
    assert DefaultConfig.REMEMBER_COOKIE_SECURE is True


def test_session_cookie_flags_after_login(tmp_path: Path) -> None:
    with _app_with(tmp_path, drop=("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE")) as app:
        assert app.config["SESSION_COOKIE_SECURE"] is True
        user = factories.gen_user()
        client = app.test_client()
        response = client.post("/logga-in", base_url="https://aktiva.test",
                               data={"email": user.email, "password": factories.PASSWORD})
        assert response.status_code == 302
        [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
        flags = {part.strip().split("=")[0].lower(): part.strip()
                 for part in cookie.split(";")[1:]}
        assert "secure" in flags
        assert "httponly" in flags
        assert flags["samesite"] == "SameSite=Lax"


# --- CSRF ------------------------------------------------------------------------------------


@pytest.mark.parametrize("app", [{"WTF_CSRF_ENABLED": True}], indirect=True)
def test_post_without_csrf_token_is_refused(app: Flask, client: FlaskClient) -> None:
    user = factories.gen_user()
    response = client.post("/logga-in", data={"email": user.email,
                                              "password": factories.PASSWORD})
    assert response.status_code == 400
    assert CSRF_MESSAGE in response.get_data(as_text=True)
    assert client.get("/").status_code == 302, "not logged in"

    page = client.get("/logga-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token
    response = client.post("/logga-in", data={"email": user.email, "csrf_token": token.group(1),
                                              "password": factories.PASSWORD})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("app", [{"WTF_CSRF_ENABLED": True}], indirect=True)
def test_logout_without_csrf_token_is_refused(app: Flask, client: FlaskClient) -> None:
    user = factories.gen_user()
    page = client.get("/logga-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    client.post("/logga-in", data={"email": user.email, "csrf_token": token,
                                   "password": factories.PASSWORD})
    assert client.post("/logga-ut").status_code == 400
    assert client.get("/").status_code == 200, "still logged in"


# --- error pages -----------------------------------------------------------------------------


def test_404_page_is_swedish(app: Flask, client: FlaskClient) -> None:
    response = client.get("/finns-inte")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Sidan hittades inte" in page
    assert "Sidan finns inte. Kontrollera adressen eller gå tillbaka till startsidan." in page
    assert "Felkod: 404" in page


def test_403_page_is_swedish(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    auth.login_as(factories.gen_user(Role.BOARD))
    response = client.get("/anvandare")
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "Ingen behörighet" in page
    assert "Du har inte behörighet att se den här sidan." in page


def test_405_page_is_swedish(app: Flask, client: FlaskClient) -> None:
    response = client.get("/logga-ut")
    assert response.status_code == 405
    assert "Det går inte att göra så på den här sidan." in response.get_data(as_text=True)


def test_errors_are_json_for_json_clients(app: Flask, client: FlaskClient) -> None:
    response = client.get("/finns-inte", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.get_json() == {"error": "Not Found", "status": 404}


def test_500_page_is_swedish(app: Flask, client: FlaskClient,
                             monkeypatch: pytest.MonkeyPatch) -> None:
    def boom() -> str:
        raise RuntimeError("test-only failure")

    app.add_url_rule("/test-only-boom", "test_only_boom", boom)
    monkeypatch.setitem(permissions.RULES, "test_only_boom", permissions.public)
    response = client.get("/test-only-boom")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Något gick fel" in page
    assert "Något gick fel hos oss. Felet är loggat; försök igen om en stund." in page
    assert "test-only failure" not in page, "no internals on the error page"


def test_endpoint_without_rule_is_closed(app: Flask, client: FlaskClient) -> None:
    app.add_url_rule("/test-only-unruled", "test_only_unruled", lambda: "hemligt")
    response = client.get("/test-only-unruled")
    assert response.status_code == 403
    assert "hemligt" not in response.get_data(as_text=True)


# --- language --------------------------------------------------------------------------------


def test_switch_to_english_and_back(app: Flask, client: FlaskClient) -> None:
    page = client.get("/logga-in").get_data(as_text=True)
    assert '<html lang="sv">' in page
    assert "<h1>Logga in</h1>" in page
    response = client.post("/sprak", data={"lang": "en", "next": "/logga-in"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/logga-in"
    page = client.get("/logga-in").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "<h1>Log in</h1>" in page
    assert "Email address" in page
    assert "På svenska" in page
    client.post("/sprak", data={"lang": "sv", "next": "/logga-in"})
    assert "<h1>Logga in</h1>" in client.get("/logga-in").get_data(as_text=True)


def test_english_error_messages(app: Flask, client: FlaskClient) -> None:
    client.post("/sprak", data={"lang": "en", "next": "/"})
    page = client.post("/logga-in", data={"email": "x@kommun.test", "password": "fel"}
                       ).get_data(as_text=True)
    assert "Wrong email address or password." in page
    missing = client.get("/finns-inte").get_data(as_text=True)
    assert "Page not found" in missing
    assert "This page does not exist. Check the address or go back to the start page." in missing


def test_english_labels_of_kinds_and_roles(app: Flask, client: FlaskClient,
                                           auth: AuthActions) -> None:
    unit = factories.gen_unit(factories.gen_unit(), name="Socialförvaltningen")
    auth.login_as(factories.gen_user(Role.ADMIN))
    client.post("/sprak", data={"lang": "en", "next": "/"})
    page = client.get(f"/organisation/enheter/{unit.id}").get_data(as_text=True)
    assert "<dd>Department</dd>" in page
    form = client.get("/anvandare/ny").get_data(as_text=True)
    assert ">Elected representative (reader)</option>" in form
    assert ">Department</option>" in client.get("/organisation/enheter/ny").get_data(as_text=True)


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "/\\evil.example",
                                    "evil"])
def test_language_switch_only_redirects_locally(app: Flask, client: FlaskClient,
                                                target: str) -> None:
    response = client.post("/sprak", data={"lang": "en", "next": target})
    assert response.headers["Location"] == "/"


def test_unknown_language_is_ignored(app: Flask, client: FlaskClient) -> None:
    client.post("/sprak", data={"lang": "de", "next": "/logga-in"})
    assert '<html lang="sv">' in client.get("/logga-in").get_data(as_text=True)


# --- command line ----------------------------------------------------------------------------


def test_demo_creates_exempelkommun_once(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert f"'{DEMO_PASSWORD}'" in result.output
    for login in ("admin@exempelkommun.se", "hr@exempelkommun.se",
                  "ordforande@exempelkommun.se", "anders.nyberg@exempelkommun.se"):
        assert login in result.output

    employees = db.session.scalar(select(func.sum(Unit.employees)))
    assert 5_500 <= employees <= 6_500
    forvaltningar = db.session.scalar(
        select(func.count()).select_from(Unit).where(Unit.kind == "förvaltning"))
    assert 7 <= forvaltningar <= 9
    roles = dict(db.session.execute(select(User.role, func.count()).group_by(User.role)).all())
    assert roles["hr"] == 1
    assert roles["board"] == 1
    assert roles["admin"] == 1
    assert roles["head"] >= forvaltningar
    units_before = db.session.scalar(select(func.count()).select_from(Unit))
    users_before = db.session.scalar(select(func.count()).select_from(User))

    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0
    assert "Databasen innehåller redan en organisation; demodata laddas inte." in again.output
    assert db.session.scalar(select(func.count()).select_from(Unit)) == units_before
    assert db.session.scalar(select(func.count()).select_from(User)) == users_before


def test_demo_logins_work(app: Flask, runner: FlaskCliRunner, client: FlaskClient,
                          auth: AuthActions) -> None:
    runner.invoke(args=["demo"])
    auth.login("hr@exempelkommun.se", DEMO_PASSWORD)
    assert client.get("/anvandare").status_code == 200


def test_user_create_command(app: Flask, runner: FlaskCliRunner) -> None:
    args = ["user", "create", "--email", "Chef@Kommun.test", "--name", "Första Admin"]
    result = runner.invoke(args=args, input="ett långt lösenord\nett långt lösenord\n")
    assert result.exit_code == 0, result.output
    assert "Användaren chef@kommun.test (admin) är skapad." in result.output
    user = db.session.scalar(select(User).where(User.email == "chef@kommun.test"))
    assert user is not None
    assert user.role == "admin"
    assert user.password_hash.startswith("$argon2id$")

    again = runner.invoke(args=args, input="ett långt lösenord\nett långt lösenord\n")
    assert again.exit_code == 1
    assert "Det finns redan en användare med Chef@Kommun.test." in again.output
    short = runner.invoke(args=["user", "create", "--email", "b@kommun.test", "--name", "B"],
                          input="kort\nkort\n")
    assert short.exit_code == 1
    assert "Lösenordet måste ha minst 10 tecken." in short.output


def test_aktiva_help_lists_the_commands(tmp_path: Path) -> None:
    result = subprocess.run([str(AKTIVA), "--help"], capture_output=True, text=True,
                            timeout=60, cwd=tmp_path, check=False)
    assert result.returncode == 0, result.stderr
    commands = set(re.findall(r"^  (\w[\w-]*)\s", result.stdout, re.M))
    assert {"org", "demo", "user", "db", "run"} <= commands
    assert "Aktiva: uppföljning av aktiva åtgärder." in result.stdout
