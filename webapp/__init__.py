"""Aktiva: the Flask application factory."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask

__all__ = ["create_app"]

# Capability packages whose blueprints the app serves, in registration order.
BLUEPRINTS = ["main", "auth", "organisation", "questionnaires", "measures", "rounds",
              "anonymous", "results", "boardreports"]


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Create the app: config -> extensions -> security -> blueprints -> errors -> cli."""
    app = Flask(__name__, instance_relative_config=True)
    _load_config(app, test_config)
    _init_extensions(app)
    _init_security(app)
    _register_blueprints(app)
    _register_errors(app)
    _register_template_helpers(app)
    _register_cli(app)
    return app


def _load_config(app: Flask, test_config: dict[str, Any] | None) -> None:
    from webapp.config import DefaultConfig

    app.config.from_object(DefaultConfig)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("AKTIVA")
    else:
        app.config.update(test_config)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(
            app.instance_path, "aktiva.sqlite"
        )
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path))
    for key in ("MAIL_OUTBOX", "UPLOAD_FOLDER"):
        app.config[key] = os.path.join(app.instance_path, app.config[key])
    if not app.config.get("QUESTIONNAIRE_FOLDER"):
        app.config["QUESTIONNAIRE_FOLDER"] = str(Path(app.root_path).parent / "questionnaires")


def _instance_secret(instance: Path) -> str:
    """Return the installation's secret key, creating it once with owner-only permissions."""
    path = instance / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def _init_extensions(app: Flask) -> None:
    from webapp.extensions import babel
    from webapp.extensions import csrf
    from webapp.extensions import db
    from webapp.extensions import limiter
    from webapp.extensions import login_manager
    from webapp.extensions import migrate
    from webapp.i18n import select_locale

    db.init_app(app)
    migrate.init_app(
        app, db, directory=str(Path(app.root_path) / "migrations"), render_as_batch=True,
        compare_type=True
    )
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None  # the login page explains itself
    login_manager.session_protection = "strong"

    from webapp import models  # noqa: F401  (register every model with the metadata)
    from webapp.organisation.models import User

    @login_manager.user_loader
    def load_user(session_id: str) -> User | None:
        user_id, _, stamp = session_id.partition(":")
        if not user_id.isdigit() or not stamp.isdigit():
            return None  # a session from before stamps existed: log in again
        user = db.session.get(User, int(user_id))
        if user is None or not user.is_active or user.session_stamp != int(stamp):
            return None  # gone, deactivated, or the password changed since this login
        return user


def _init_security(app: Flask) -> None:
    from webapp import permissions
    from webapp.security import set_security_headers

    app.before_request(permissions.enforce)
    app.after_request(set_security_headers)


def _register_blueprints(app: Flask) -> None:
    import importlib

    # Each capability is a package with `bp` in __init__.py and its routes in views.py.
    for name in BLUEPRINTS:
        importlib.import_module(f"webapp.{name}.views")
        app.register_blueprint(importlib.import_module(f"webapp.{name}").bp)


def _register_errors(app: Flask) -> None:
    from webapp.errors import register_error_handlers

    register_error_handlers(app)


def _register_template_helpers(app: Flask) -> None:
    from webapp import i18n
    from webapp import permissions
    from webapp.navigation import nav_items

    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals.update(
        can=permissions.can, current_language=i18n.current_language, nav_items=nav_items
    )
    app.jinja_env.filters["isodate"] = i18n.isodate
    app.jinja_env.filters["number"] = i18n.number


def _register_cli(app: Flask) -> None:
    from webapp import cli

    cli.register(app)
