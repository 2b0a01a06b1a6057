"""Safe defaults. Secrets and site settings come from instance/config.py or AKTIVA_* env vars."""

from __future__ import annotations

from datetime import timedelta


class DefaultConfig:
    """Settings every installation starts from."""

    # Unset: create_app generates a random key once into instance/secret_key (mode 600).
    # Production sets it in instance/config.py or AKTIVA_SECRET_KEY (see instance/README.md).
    SECRET_KEY: str | None = None
    SQLALCHEMY_DATABASE_URI: str | None = None  # default: sqlite file in the instance folder
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, object] = {"pool_pre_ping": True}

    MUNICIPALITY_NAME = "Exempelkommun"
    BABEL_DEFAULT_LOCALE = "sv"
    BABEL_DEFAULT_TIMEZONE = "Europe/Stockholm"
    LANGUAGES = ("sv", "en")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SECURE = True
    PERMANENT_SESSION_LIFETIME = timedelta(hours=8)
    WTF_CSRF_TIME_LIMIT = 8 * 3600

    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = "10 per minute;50 per hour"

    # Email: SMTP when MAIL_SERVER is set, otherwise every message is written
    # as an .eml file into MAIL_OUTBOX (relative paths are inside the instance folder).
    MAIL_SERVER: str | None = None
    MAIL_PORT = 587
    MAIL_USE_TLS = True
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_FROM = "aktiva@exempelkommun.se"
    MAIL_OUTBOX = "outbox"

    INVITATION_MAX_AGE = timedelta(days=14)
    PASSWORD_RESET_MAX_AGE = timedelta(hours=2)
    PASSWORD_MIN_LENGTH = 10

    # Where uploaded attachments and archived reports are stored: outside the web root.
    UPLOAD_FOLDER = "uploads"
    QUESTIONNAIRE_FOLDER: str | None = None  # default: questionnaires/ beside the package

    # The board report (tjänsteskrivelse): who writes it, who decides, the logo (a PNG, JPEG or
    # SVG file) and where approved reports are archived (default: instance/archive).
    BOARD_AUTHOR = "Kommunledningsförvaltningen"
    BOARD_ORGAN = "Kommunstyrelsens arbetsutskott"
    MUNICIPALITY_LOGO: str | None = None
    ARCHIVE_FOLDER: str | None = None
    # Diarienummer and paragraph formats differ between municipalities: a regular expression
    # each, and an example that the form shows when a value does not match.
    DIARIENUMMER_PATTERN = r"^[A-ZÅÄÖ]{2,6} ?\d{4}[/.]\d{1,5}$"
    DIARIENUMMER_EXAMPLE = "KS 2021/841"
    PARAGRAPH_PATTERN = r"^([A-ZÅÄÖ]{2,6} )?§ ?\d{1,4}(/\d{2})?$"
    PARAGRAPH_EXAMPLE = "§ 1/23"
