"""The English catalog covers every Swedish text of the web app: the Python sources and all
templates (the same files as babel.cfg). Adding a text? Run `make i18n`, translate it in
webapp/translations/en/LC_MESSAGES/messages.po and compile."""

from __future__ import annotations

import io
import re
from gettext import GNUTranslations
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

WEBAPP = Path(__file__).resolve().parent.parent / "webapp"
PO_FILE = WEBAPP / "translations" / "en" / "LC_MESSAGES" / "messages.po"

# All of webapp/, as in babel.cfg, relative to webapp/ (babel's ** matches any folders).
SOURCES = [
    ("**.py", "python"),
    ("templates/**.html", "jinja2"),
]
# The foundation (auth, main, organisation, errors, the base templates and macros) is part of
# SOURCES; these samples make sure the patterns keep finding it and the rest of the app.
FOUNDATION_SAMPLES = [
    "Fel e-postadress eller lösenord.",  # auth
    "Logga in",  # templates/auth
    "Förvaltning",  # a label marked with N_ in the models
    "Sidan finns inte. Kontrollera adressen eller gå tillbaka till startsidan.",  # errors
]
APP_SAMPLES = [
    "Rundor",  # navigation
    "Minsta gruppstorlek",  # anonymous
    "Åtgärdsregistret",  # templates/rounds
    "Frågan måste besvaras.",  # questionnaires
    "Utveckling över år",  # templates/results
    ("%(num)s åtgärd", "%(num)s åtgärder"),  # a plural in templates/measures
]
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
PLACEHOLDER = re.compile(r"%\(\w+\)s|\{\w+\}")
# Texts that are spelled the same in both languages.
SAME_IN_ENGLISH = {"HR", "Organisation", "Status", "Format", "Period", "Text", "Version",
                   "Median", "Excel (.xlsx)"}

Msgid = str | tuple[str, str]


def _texts() -> dict[Msgid, str]:
    """Return {msgid: 'file:line'} for every marked text in webapp/; a plural's msgid is the
    (singular, plural) pair."""
    options = {pattern: {"extensions": "jinja2.ext.do"}
               for pattern, method in SOURCES if method == "jinja2"}
    found: dict[Msgid, str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            str(WEBAPP), SOURCES, options, KEYWORDS):
        if isinstance(message, tuple):
            msgid: Msgid = message[0] if len(message) < 2 or message[1] is None else (
                message[0], message[1])
        else:
            msgid = message
        if msgid:
            found.setdefault(msgid, f"webapp/{filename}:{lineno}")
    return found


def _english_forms(english: GNUTranslations, msgid: Msgid) -> list[tuple[str, str]]:
    """Return [(source, translation)] for a text: one pair, or one per form of a plural."""
    if isinstance(msgid, tuple):
        singular, plural = msgid
        return [(singular, english.ngettext(singular, plural, 1)),
                (plural, english.ngettext(singular, plural, 2))]
    return [(msgid, english.gettext(msgid))]


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    with PO_FILE.open("rb") as fh:
        return read_po(fh)


@pytest.fixture(scope="module")
def english(catalog: Catalog) -> GNUTranslations:
    """The English catalog compiled the way `make install` compiles it."""
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return GNUTranslations(buffer)


@pytest.fixture(scope="module")
def texts() -> dict[Msgid, str]:
    return _texts()


def test_texts_are_found(texts: dict[Msgid, str]) -> None:
    missing = [msgid for msgid in FOUNDATION_SAMPLES + APP_SAMPLES if msgid not in texts]
    assert not missing


def test_every_text_has_an_english_translation(english: GNUTranslations,
                                               texts: dict[Msgid, str]) -> None:
    untranslated = [f"{where}: {source!r}" for msgid, where in texts.items()
                    for source, translated in _english_forms(english, msgid)
                    if translated == source and source not in SAME_IN_ENGLISH]
    assert not untranslated, ("run `make i18n` and translate in messages.po:\n"
                              + "\n".join(untranslated))


def test_translations_keep_the_placeholders(english: GNUTranslations,
                                            texts: dict[Msgid, str]) -> None:
    wrong = []
    for msgid, where in texts.items():
        for source, translated in _english_forms(english, msgid):
            if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(translated)):
                wrong.append(f"{where}: {source!r} -> {translated!r}")
    assert not wrong, "\n".join(wrong)


def test_catalog_has_no_empty_or_fuzzy_entries(catalog: Catalog) -> None:
    """An empty or fuzzy entry is left out of the compiled catalog and shows up in Swedish."""
    wrong = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            where = ", ".join(f"{path}:{line}" for path, line in message.locations[:1])
            wrong.append(f"{where}: {message.id!r}{' (fuzzy)' if message.fuzzy else ''}")
    assert not wrong, "\n".join(wrong)
