"""The English catalog covers every Swedish text of the foundation (auth, main, organisation,
errors, the base templates and macros). Adding a text there? Run `make i18n`, translate it in
webapp/translations/en/LC_MESSAGES/messages.po and compile."""

from __future__ import annotations

import io
import re
from gettext import GNUTranslations
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

WEBAPP = Path(__file__).resolve().parent.parent / "webapp"
PO_FILE = WEBAPP / "translations" / "en" / "LC_MESSAGES" / "messages.po"

# The foundation's sources, relative to webapp/ (babel's ** matches any folders).
FOUNDATION = [
    ("auth/**.py", "python"),
    ("main/**.py", "python"),
    ("organisation/**.py", "python"),
    ("errors.py", "python"),
    ("forms.py", "python"),
    ("templates/base.html", "jinja2"),
    ("templates/_macros.html", "jinja2"),
    ("templates/auth/**.html", "jinja2"),
    ("templates/main/**.html", "jinja2"),
    ("templates/organisation/**.html", "jinja2"),
    ("templates/errors/**.html", "jinja2"),
]
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
PLACEHOLDER = re.compile(r"%\(\w+\)s")
# Texts that are spelled the same in both languages.
SAME_IN_ENGLISH = {"HR", "Organisation", "Status"}


def _foundation_texts() -> dict[str, str]:
    """Return {msgid: 'file:line'} for every marked text in the foundation's sources."""
    options = {pattern: {"extensions": "jinja2.ext.do"}
               for pattern, method in FOUNDATION if method == "jinja2"}
    found: dict[str, str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            str(WEBAPP), FOUNDATION, options, KEYWORDS):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.setdefault(msgid, f"webapp/{filename}:{lineno}")
    return found


@pytest.fixture(scope="module")
def english() -> GNUTranslations:
    """The English catalog compiled the way `make install` compiles it."""
    with PO_FILE.open("rb") as fh:
        catalog = read_po(fh)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return GNUTranslations(buffer)


def test_foundation_texts_are_found() -> None:
    texts = _foundation_texts()
    assert "Fel e-postadress eller lösenord." in texts
    assert "Logga in" in texts
    assert "Förvaltning" in texts  # a label marked with N_ in the models
    assert "Sidan finns inte. Kontrollera adressen eller gå tillbaka till startsidan." in texts


def test_every_foundation_text_has_an_english_translation(english: GNUTranslations) -> None:
    untranslated = [f"{where}: {msgid!r}" for msgid, where in _foundation_texts().items()
                    if english.gettext(msgid) == msgid and msgid not in SAME_IN_ENGLISH]
    assert not untranslated, ("run `make i18n` and translate in messages.po:\n"
                              + "\n".join(untranslated))



def test_translations_keep_the_placeholders(english: GNUTranslations) -> None:
    wrong = []
    for msgid in _foundation_texts():
        translated = english.gettext(msgid)
        if sorted(PLACEHOLDER.findall(msgid)) != sorted(PLACEHOLDER.findall(translated)):
            wrong.append(f"{msgid!r} -> {translated!r}")
    assert not wrong, "\n".join(wrong)
