"""Fixtures: a fresh database per test (SQLite file, or PostgreSQL when
AKTIVA_TEST_DATABASE_URL is set), the test client, the CLI runner and a login helper."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import email_validator
import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask import g
from flask import request_started
from flask.testing import FlaskClient
from flask.testing import FlaskCliRunner

from tests import factories
from webapp import create_app
from webapp.auth import services as auth_services
from webapp.extensions import db

PG_URL = os.environ.get("AKTIVA_TEST_DATABASE_URL")

# Test addresses use the reserved .test domain, which email-validator (behind the forms' Email
# validator) refuses unless it is told that it runs in a test environment.
email_validator.TEST_ENVIRONMENT = True


def make_config(tmp_path: Path, **overrides: object) -> dict[str, object]:
    """Return the config of a test app whose files all live in tmp_path."""
    config: dict[str, object] = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": PG_URL or f"sqlite:///{tmp_path / 'test.sqlite'}",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "SERVER_NAME": "aktiva.test",
        "MAIL_OUTBOX": str(tmp_path / "outbox"),
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        "ARCHIVE_FOLDER": str(tmp_path / "archive"),
    }
    config.update(overrides)
    return config


def _reset_postgres() -> None:
    # Empty every table between tests; much faster than dropping and creating the schema.
    tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    if tables:
        db.session.execute(db.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        db.session.commit()


def _fresh_request_globals(sender: Flask, **extra: object) -> None:
    """Start every request with an empty `g`, as a real server does.

    The `app` fixture keeps one app context pushed so that tests and factories can use the
    database, and Flask reuses a pushed app context for requests. Without this, `g` would carry
    the logged-in user (Flask-Login) and the locale (Flask-Babel) from one request, and one
    client, into the next.
    """
    for name in list(g):
        g.pop(name)


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hash with minimal Argon2id cost: production cost takes ~0.3 s a hash on a busy CI box."""
    monkeypatch.setattr(auth_services, "_hasher",
                        PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def app(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Flask]:
    """A Flask app with an empty, fully created database."""
    overrides = getattr(request, "param", {}) or {}
    application = create_app(make_config(tmp_path, **overrides))
    request_started.connect(_fresh_request_globals, application)
    application.config["MAIL_OUTBOX"] = str(tmp_path / "outbox")
    application.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    with application.app_context():
        db.create_all()
        if PG_URL:
            _reset_postgres()
        yield application
        db.session.remove()
        if PG_URL:
            _reset_postgres()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def outbox(app: Flask) -> factories.Outbox:
    """The development outbox where sent mail lands."""
    return factories.Outbox(Path(app.config["MAIL_OUTBOX"]))


class AuthActions:
    """Log in and out through the real login form."""

    def __init__(self, client: FlaskClient) -> None:
        self._client = client

    def login(self, email: str, password: str = factories.PASSWORD):  # type: ignore[no-untyped-def]
        response = self._client.post("/logga-in", data={"email": email, "password": password})
        assert response.status_code in (200, 302)
        return response

    def login_as(self, user):  # type: ignore[no-untyped-def]
        response = self.login(user.email)
        assert response.status_code == 302, f"login failed for {user.email}"
        return response

    def logout(self):  # type: ignore[no-untyped-def]
        return self._client.post("/logga-ut")


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)
