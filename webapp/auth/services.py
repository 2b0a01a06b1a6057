"""Passwords, login, invitations and password resets."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError
from argon2.exceptions import VerificationError
from flask import current_app
from flask import url_for
from flask_babel import gettext as _
from itsdangerous import BadSignature
from itsdangerous import SignatureExpired
from itsdangerous import URLSafeTimedSerializer

from webapp import audit
from webapp import mail
from webapp.audit import utcnow
from webapp.extensions import db
from webapp.organisation.models import User
from webapp.organisation.services import find_user_by_email

_hasher = PasswordHasher()
# Verified against when no account matches, so a missing account takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash("aktiva-no-such-account")


def hash_password(password: str) -> str:
    """Hash a password with Argon2id."""
    return _hasher.hash(password)


def set_password(user: User, password: str) -> None:
    """Give the user a new password; outstanding reset links stop working."""
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    db.session.flush()


def authenticate(email: str, password: str) -> User | None:
    """Return the active user if email and password match, else None (in constant-ish time)."""
    user = find_user_by_email(email)
    stored = user.password_hash if user is not None and user.password_hash else _DUMMY_HASH
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.password_hash or not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    db.session.flush()
    return user


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"aktiva-{purpose}")


def _fingerprint(user: User) -> str:
    """A value that changes whenever the password changes, binding a token to the current one."""
    return hashlib.sha256((user.password_hash or "none").encode()).hexdigest()[:16]


def make_token(user: User, purpose: str) -> str:
    """Sign a single-purpose token for the user ('invite' or 'reset')."""
    return _serializer(purpose).dumps({"uid": user.id, "fp": _fingerprint(user)})


def load_token(token: str, purpose: str) -> User | None:
    """Return the user a valid, unexpired, unused token belongs to, else None."""
    max_age: dt.timedelta = current_app.config[
        "INVITATION_MAX_AGE" if purpose == "invite" else "PASSWORD_RESET_MAX_AGE"
    ]
    try:
        data: dict[str, Any] = _serializer(purpose).loads(
            token, max_age=int(max_age.total_seconds())
        )
    except (SignatureExpired, BadSignature):
        return None
    user = db.session.get(User, data.get("uid"))
    if user is None or not user.active or data.get("fp") != _fingerprint(user):
        return None
    if purpose == "invite" and user.has_password:
        return None
    return user


def send_invitation(user: User) -> None:
    """Email the user a link to choose a password; raises MailError on failure."""
    link = url_for("auth.accept_invitation", token=make_token(user, "invite"), _external=True)
    days = current_app.config["INVITATION_MAX_AGE"].days
    municipality = current_app.config["MUNICIPALITY_NAME"]
    body = _(
        "Hej %(name)s!\n\nDu har fått ett konto i Aktiva, %(municipality)s system för uppföljning "
        "av aktiva åtgärder mot diskriminering.\n\nVälj ditt lösenord här (länken gäller i "
        "%(days)s dagar):\n%(link)s\n\nHar du frågor? Kontakta HR.\n",
        name=user.name,
        municipality=municipality,
        days=days,
        link=link,
    )
    mail.send(user.email, _("Inbjudan till Aktiva"), body)
    audit.record("user.invited", user, summary=user.email)


def send_password_reset(user: User) -> None:
    """Email the user a link to set a new password; raises MailError on failure."""
    link = url_for("auth.reset_password", token=make_token(user, "reset"), _external=True)
    hours = int(current_app.config["PASSWORD_RESET_MAX_AGE"].total_seconds() // 3600)
    body = _(
        "Hej %(name)s!\n\nNågon (förhoppningsvis du) har bett om att få byta lösenord i Aktiva.\n"
        "Välj ett nytt lösenord här (länken gäller i %(hours)s timmar och kan användas en gång):"
        "\n%(link)s\n\nHar du inte bett om detta kan du bortse från mejlet.\n",
        name=user.name,
        hours=hours,
        link=link,
    )
    mail.send(user.email, _("Byt lösenord i Aktiva"), body)
