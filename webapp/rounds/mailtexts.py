"""Editable Swedish email texts for invitations and reminders, with checked placeholders."""

from __future__ import annotations

import string
from dataclasses import dataclass

from webapp.extensions import db
from webapp.rounds.models import EmailTemplate

PLACEHOLDERS = {
    "namn": "mottagarens namn",
    "enhet": "enhetens namn",
    "runda": "rundans titel",
    "sista_dag": "sista svarsdag (ÅÅÅÅ-MM-DD)",
    "lank": "länken till formuläret",
    "kommun": "kommunens namn",
}


@dataclass(frozen=True)
class MailText:
    """A default email text."""

    label: str
    subject: str
    body: str


DEFAULTS: dict[str, MailText] = {
    "invitation": MailText(
        "Inbjudan",
        "Årlig uppföljning av aktiva åtgärder: {enhet}",
        "Hej {namn}!\n\n"
        "Nu är det dags för {runda}. Du svarar för {enhet}.\n\n"
        "Svara senast {sista_dag}. Du kan spara ett utkast och fortsätta senare; "
        "förra årets svar visas bredvid frågorna.\n\n"
        "Öppna formuläret här:\n{lank}\n\n"
        "Frågor? Kontakta HR.\n\nVänliga hälsningar\nHR, {kommun}\n",
    ),
    "reminder": MailText(
        "Påminnelse",
        "Påminnelse: uppföljning av aktiva åtgärder för {enhet}",
        "Hej {namn}!\n\n"
        "Vi saknar ännu svaret för {enhet} i {runda}. Sista svarsdag är {sista_dag}.\n\n"
        "Fortsätt här:\n{lank}\n\n"
        "Vänliga hälsningar\nHR, {kommun}\n",
    ),
    "escalation": MailText(
        "Påminnelse till överordnad chef",
        "Försenat svar: uppföljning av aktiva åtgärder för {enhet}",
        "Hej {namn}!\n\n"
        "Svaret för {enhet} i {runda} skulle ha skickats in senast {sista_dag} men har inte "
        "kommit in. Du får det här mejlet som chef för enheten ovanför. "
        "Påminn gärna den som ska svara.\n\n"
        "Formuläret:\n{lank}\n\n"
        "Vänliga hälsningar\nHR, {kommun}\n",
    ),
}


def unknown_placeholders(text: str) -> list[str]:
    """Return placeholders in `text` that are not in PLACEHOLDERS (or malformed braces)."""
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
    except ValueError:
        return ["{...}"]
    return sorted({f for f in fields if f not in PLACEHOLDERS})


def get(key: str) -> tuple[str, str]:
    """Return (subject, body) for `key`: the edited version if HR saved one, else the default."""
    row = db.session.get(EmailTemplate, key)
    if row is not None:
        return row.subject, row.body
    default = DEFAULTS[key]
    return default.subject, default.body


def render(key: str, **values: str) -> tuple[str, str]:
    """Fill in the placeholders of the text `key`."""
    subject, body = get(key)
    return subject.format(**values), body.format(**values)
