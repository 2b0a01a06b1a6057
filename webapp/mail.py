"""Outgoing email: SMTP when configured, otherwise .eml files in the instance outbox."""

from __future__ import annotations

import datetime as dt
import secrets
import smtplib
from email.message import EmailMessage
from pathlib import Path

from flask import current_app


class MailError(Exception):
    """A message could not be handed to the mail server."""


def build_message(to: str, subject: str, body: str) -> EmailMessage:
    """Build a plain-text UTF-8 message from the configured sender."""
    msg = EmailMessage()
    msg["From"] = current_app.config["MAIL_FROM"]
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = dt.datetime.now(dt.UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")
    msg.set_content(body)
    return msg


def send(to: str, subject: str, body: str) -> None:
    """Send one message; raise MailError if it could not be delivered to SMTP or the outbox."""
    msg = build_message(to, subject, body)
    config = current_app.config
    if config.get("MAIL_SERVER"):
        try:
            with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=20) as smtp:
                if config.get("MAIL_USE_TLS"):
                    smtp.starttls()
                if config.get("MAIL_USERNAME"):
                    smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
                smtp.send_message(msg)
        except (OSError, smtplib.SMTPException) as exc:
            raise MailError(f"SMTP {config['MAIL_SERVER']}: {exc}") from exc
        return
    outbox = Path(config["MAIL_OUTBOX"])
    try:
        outbox.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
        path = outbox / f"{stamp}-{secrets.token_hex(3)}.eml"
        path.write_bytes(bytes(msg))
    except OSError as exc:
        raise MailError(f"outbox {outbox}: {exc}") from exc
    current_app.logger.info("Mail to %s written to %s", to, path)
