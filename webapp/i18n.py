"""Language choice and the Swedish formatting of dates and numbers."""

from __future__ import annotations

import datetime as dt

from flask import current_app
from flask import has_request_context
from flask import session
from flask_babel import format_decimal
from flask_babel import get_locale


def N_(text: str) -> str:  # noqa: N802  (the name pybabel extracts by default)
    """Mark a text for the catalog without translating it; whoever shows it translates it."""
    return text


def select_locale() -> str:
    """Use the language the user picked in this session, else the installation's default."""
    # Mail sent from the CLI (`aktiva org import --invite`) has no request and no session.
    lang = session.get("lang") if has_request_context() else None
    if lang in current_app.config["LANGUAGES"]:
        return str(lang)
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])


def current_language() -> str:
    """Return the active language code, e.g. 'sv'."""
    locale = get_locale()
    return locale.language if locale else "sv"


def isodate(value: dt.date | dt.datetime | None, with_time: bool = False) -> str:
    """Format a date as ÅÅÅÅ-MM-DD (Swedish standard), optionally with HH:MM."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            from zoneinfo import ZoneInfo

            value = value.astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]))
        return value.strftime("%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d")
    return value.strftime("%Y-%m-%d")


def number(value: float | int | None, digits: int = 0) -> str:
    """Format a number the way the active language writes it (6 000 in Swedish)."""
    if value is None:
        return ""
    fmt = "#,##0" + ("." + "0" * digits if digits else "")
    return str(format_decimal(value, format=fmt))
