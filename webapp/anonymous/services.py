"""State changes of anonymous surveys. Functions flush (and audit staff actions); never commit.

What is deliberately NOT done here: no audit entry, log line or timestamp is written for
anything a respondent does (opening, saving a draft, submitting). See docs/anonymity.md.

- `generate_codes(unit, n) -> list[str]`: n new single-use codes; only their keyed hashes are
  stored, the plain codes are returned once for the sheet or the CSV.
- `lookup_code(code) -> AccessCode | None`, `load_draft(code)`, `save_draft(code, answers)`.
- `submit_with_code(code, answers, today)`: consume the code, write the response without any
  reference to it, delete the draft. Raises CodeError("used") on a second submit.
- `submit_open(unit, answers, today)`: the open-link variant (no code, no draft).
- `close_round(round_, today)`: no more answers; drafts and every code hash are deleted.
- `apply_retention(today)`: delete raw answers of rounds closed longer ago than the setting.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import secrets
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from cryptography.fernet import InvalidToken
from flask import current_app
from sqlalchemy import ColumnElement
from sqlalchemy import Table
from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import update

from webapp import audit
from webapp import settings
from webapp.anonymous.models import AccessCode
from webapp.anonymous.models import AnonymousDraft
from webapp.anonymous.models import AnonymousResponse
from webapp.anonymous.models import AnonymousRound
from webapp.anonymous.models import AnonymousRoundState
from webapp.anonymous.models import AnonymousStateError
from webapp.anonymous.models import AnonymousUnit
from webapp.extensions import db
from webapp.organisation.models import Unit
from webapp.organisation.models import User
from webapp.questionnaires import schema
from webapp.questionnaires import services as questionnaire_services
from webapp.questionnaires.models import QuestionnaireVersion
from webapp.yamlio import FileErrors
from webapp.yamlio import Problem

# No 0/O, 1/I, 2/Z, 5/S, 8/B, 6/G look-alikes: easy to read from paper and to type on a phone.
CODE_ALPHABET = "ACDEFHJKLMNPQRTUVWXY34679"
CODE_GROUPS = 4
CODE_GROUP_LENGTH = 4  # 16 symbols of 25: about 74 bits
MAX_BATCH = 2000
BACKGROUND_SECTION = "bakgrund"
# GDPR art. 9 special categories that an anonymous survey never asks about the respondent.
SPECIAL_CATEGORY_GROUNDS = {"etnisk_tillhorighet", "religion", "sexuell_laggning",
                            "funktionsnedsattning"}
_rng = secrets.SystemRandom()


class CodeError(Exception):
    """A code that cannot be used: `reason` is "unknown", "used" or "closed"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# -- codes and keys ------------------------------------------------------------------------------


def normalize_code(raw: str | None) -> str | None:
    """Return the code's 16 symbols in upper case without spaces or dashes, or None if invalid."""
    text = "".join(ch for ch in (raw or "").upper() if ch not in " -\t\u00a0")
    if len(text) != CODE_GROUPS * CODE_GROUP_LENGTH or any(ch not in CODE_ALPHABET for ch in text):
        return None
    return text


def format_code(code: str) -> str:
    """Return the code in dash-separated groups of four, as printed."""
    return "-".join(code[i:i + CODE_GROUP_LENGTH] for i in range(0, len(code), CODE_GROUP_LENGTH))


def _keyed(purpose: str, value: str) -> bytes:
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, f"aktiva-anonymous:{purpose}:{value}".encode(), hashlib.sha256).digest()


def code_hash(code: str) -> str:
    """Return the keyed hash (HMAC-SHA256 with the app secret) under which a code is stored."""
    return _keyed("code", code).hex()


def _draft_cipher(code: str) -> Fernet:
    # A different derivation from the lookup hash: the stored hash never unlocks a draft.
    return Fernet(base64.urlsafe_b64encode(_keyed("draft", code)))


def word_hash(word: str) -> str:
    """Return the keyed hash of an open link's code word (case and spaces ignored)."""
    return _keyed("word", " ".join(word.split()).casefold()).hex()


def new_code() -> str:
    """Return a fresh random code (unformatted)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_GROUPS * CODE_GROUP_LENGTH))


def iso_week(day: dt.date) -> str:
    """Return the ISO week of a day as "2026-W11"."""
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


# -- questionnaires --------------------------------------------------------------------------


def _folder() -> Path:
    return Path(current_app.config["QUESTIONNAIRE_FOLDER"])


def anonymous_choices() -> list[tuple[str, str]]:
    """(file name, label) of every valid anonymous questionnaire in the folder."""
    return [(e.path.name, f"{e.definition.title} (version {e.definition.version})")
            for e in questionnaire_services.catalogue(_folder())
            if e.definition is not None and e.definition.kind == "anonymous"]


def background_questions(definition: schema.Definition) -> list[Any]:
    """Return the background questions (the "bakgrund" section) that results can group by."""
    return [q for s in definition.sections if s.id == BACKGROUND_SECTION for q in s.questions
            if q.type == "single_choice"]  # type: ignore[attr-defined]


def privacy_problems(definition: schema.Definition) -> list[str]:
    """Return why a definition cannot be an anonymous survey (empty when it can).

    A background question must not be about a GDPR special category (ethnicity, religion,
    sexual orientation, health/disability), and an anonymous survey takes no file uploads
    (files carry metadata such as author names).
    """
    problems = []
    if definition.kind != "anonymous":
        problems.append("Enkäten är inte av typen anonymous.")
    for section, q in definition.iter_questions():
        grounds = set(q.tags.grounds) if q.tags else set()
        if section.id == BACKGROUND_SECTION and grounds & SPECIAL_CATEGORY_GROUNDS:
            problems.append(f"Bakgrundsfrågan {q.id} gäller känsliga personuppgifter "
                            f"({', '.join(sorted(grounds & SPECIAL_CATEGORY_GROUNDS))}).")
        if q.type == "attachment":  # type: ignore[attr-defined]
            problems.append(f"Frågan {q.id} tar emot filer, vilket en anonym enkät inte får.")
    return problems


def freeze_file(file_name: str) -> QuestionnaireVersion:
    """Freeze the named anonymous questionnaire, refusing one that fails privacy_problems."""
    path = questionnaire_services.find_file(_folder(), Path(file_name).stem)
    if path is None:
        raise FileErrors([Problem(file_name, 1, "filen finns inte")])
    definition = schema.load_definition(path)
    problems = privacy_problems(definition)
    if problems:
        raise AnonymousStateError(" ".join(problems))
    return questionnaire_services.freeze(definition, path.name)


# -- rounds ------------------------------------------------------------------------------------


def create_round(*, title: str, year: int, questionnaire_version_id: int, opens_on: dt.date,
                 closes_on: dt.date, target_unit_ids: list[int],
                 created_by: User | None) -> AnonymousRound:
    """Create a draft anonymous round."""
    if closes_on < opens_on:
        raise AnonymousStateError("Sista svarsdag kan inte vara före öppningsdagen.")
    version = db.session.get(QuestionnaireVersion, questionnaire_version_id)
    if version is None or privacy_problems(version.definition):
        raise AnonymousStateError("Enkäten kan inte användas anonymt.")
    round_ = AnonymousRound(title=title, year=year, questionnaire_version_id=version.id,
                            opens_on=opens_on, closes_on=closes_on,
                            target_unit_ids=list(target_unit_ids),
                            created_by_id=created_by.id if created_by else None)
    db.session.add(round_)
    db.session.flush()
    audit.record("anonymous.created", round_, summary=title, year=year)
    return round_


def open_round(round_: AnonymousRound) -> None:
    """Freeze the target units (name, parent, employees incl. units below) and open."""
    units = [u for u in (db.session.get(Unit, i) for i in round_.target_unit_ids) if u]
    if not units:
        raise AnonymousStateError("Välj minst en enhet.")
    round_.open()
    for position, unit in enumerate(units):
        round_.units.append(AnonymousUnit(
            unit_id=unit.id, position=position, unit_code=unit.code, name=unit.name,
            parent_name=unit.parent.name if unit.parent else "", employees=unit.total_employees))
    db.session.flush()
    audit.record("anonymous.opened", round_, summary=round_.title, units=len(units))


def close_round(round_: AnonymousRound, today: dt.date) -> None:
    """Close the round and delete every draft and code hash: they have no use any more."""
    round_.close(today)
    unit_ids = [u.id for u in round_.units]
    db.session.execute(delete(AnonymousDraft).where(AnonymousDraft.round_unit_id.in_(unit_ids)))
    db.session.execute(delete(AccessCode).where(AccessCode.round_unit_id.in_(unit_ids)))
    db.session.flush()
    audit.record("anonymous.closed", round_, summary=round_.title)


def generate_codes(unit: AnonymousUnit, count: int) -> list[str]:
    """Create `count` single-use codes for a unit; return them (formatted) this once only."""
    if unit.round.state == AnonymousRoundState.CLOSED:
        raise AnonymousStateError("Enkäten är stängd.")
    if not 1 <= count <= MAX_BATCH:
        raise AnonymousStateError(f"Välj mellan 1 och {MAX_BATCH} koder.")
    codes: set[str] = set()
    while len(codes) < count:
        codes.add(new_code())
    rows = [{"code_hash": code_hash(c), "round_unit_id": unit.id, "used": False} for c in codes]
    db.session.execute(insert(AccessCode), rows)
    unit.codes_issued += count
    db.session.flush()
    audit.record("anonymous.codes_generated", unit.round, summary=f"{unit.name}: {count} koder",
                 unit=unit.unit_code, count=count)
    result = [format_code(c) for c in codes]
    _rng.shuffle(result)
    return result


def set_code_word(unit: AnonymousUnit, word: str) -> str:
    """Enable (or change) the unit's open link with a code word; return the link token."""
    if len(" ".join(word.split())) < 6:
        raise AnonymousStateError("Kodordet måste ha minst 6 tecken.")
    if not unit.link_token:
        unit.link_token = secrets.token_urlsafe(12)
    unit.code_word_hash = word_hash(word)
    db.session.flush()
    audit.record("anonymous.link_enabled", unit.round, summary=unit.name, unit=unit.unit_code)
    return unit.link_token


def disable_link(unit: AnonymousUnit) -> None:
    """Turn the unit's open link off; the old link and code word stop working."""
    unit.link_token = None
    unit.code_word_hash = None
    db.session.flush()
    audit.record("anonymous.link_disabled", unit.round, summary=unit.name, unit=unit.unit_code)


def unit_by_link(token: str) -> AnonymousUnit | None:
    """Return the unit whose open link is `token`, if enabled."""
    unit = db.session.scalar(select(AnonymousUnit).where(AnonymousUnit.link_token == token))
    return unit if unit is not None and unit.has_link else None


def check_code_word(unit: AnonymousUnit, word: str) -> bool:
    """Whether `word` is the unit's code word (constant-time comparison)."""
    return bool(unit.code_word_hash) and hmac.compare_digest(
        word_hash(word), unit.code_word_hash or "")


# -- answering with a code -------------------------------------------------------------------


def lookup_code(code: str) -> AccessCode | None:
    """Return the stored code row for a (normalized) code, or None."""
    return db.session.get(AccessCode, code_hash(code))


def unit_of_code(code: str, today: dt.date) -> AnonymousUnit:
    """Return the unit of a usable code; raise CodeError("unknown"|"used"|"closed")."""
    row = lookup_code(code)
    if row is None:
        raise CodeError("unknown")
    if row.used:
        raise CodeError("used")
    unit = db.session.get(AnonymousUnit, row.round_unit_id)
    if unit is None or not unit.round.accepts_answers(today):
        raise CodeError("closed")
    return unit


def load_draft(code: str) -> dict[str, Any] | None:
    """Return the saved draft answers of a code, or None."""
    draft = db.session.get(AnonymousDraft, code_hash(code))
    if draft is None:
        return None
    try:
        return json.loads(_draft_cipher(code).decrypt(draft.ciphertext.encode()))  # type: ignore[no-any-return]
    except InvalidToken:  # the secret key changed: the draft cannot be read any more
        return None


def save_draft(code: str, answers: dict[str, Any], today: dt.date) -> None:
    """Store the code's draft answers, encrypted with a key derived from the code."""
    unit = unit_of_code(code, today)
    token = _draft_cipher(code).encrypt(json.dumps(answers).encode()).decode()
    draft = db.session.get(AnonymousDraft, code_hash(code))
    if draft is None:
        db.session.add(AnonymousDraft(code_hash=code_hash(code), round_unit_id=unit.id,
                                      ciphertext=token))
    else:
        draft.ciphertext = token
    db.session.flush()


def _rewrite_shuffled(table: Table, where: ColumnElement[bool]) -> None:
    """Delete and re-insert the selected rows in random order, in one statement.

    Every rewritten row gets the same transaction id (PostgreSQL xmin) and a random physical
    position, so neither system columns nor heap order show which row arrived last. Cost:
    O(rows of one unit) per submit. A concurrent submit to the same unit cannot duplicate rows:
    its DELETE skips rows another transaction already moved, and only re-inserts what it took.

    SQLite stores these tables WITHOUT ROWID, ordered by their random keys, and has no per-row
    transaction ids: there is nothing to rewrite.
    """
    if db.session.get_bind().dialect.name == "sqlite":
        return
    moved = delete(table).where(where).returning(*table.columns).cte("moved")
    db.session.execute(
        insert(table).from_select(list(table.columns.keys()),
                                  select(moved).order_by(func.random())))


def _forget_rewritten() -> None:
    # Rows of these tables were deleted and re-inserted under the ORM's feet: drop any loaded
    # copies so that the next read sees the database.
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, AccessCode | AnonymousResponse | AnonymousDraft):
            db.session.expunge(obj)


def _write_response(unit: AnonymousUnit, answers: dict[str, Any], today: dt.date) -> None:
    table = AnonymousResponse.__table__
    db.session.execute(insert(table).values(
        id=str(uuid.uuid4()), round_id=unit.round_id, round_unit_id=unit.id,
        answered_week=iso_week(today), answers=answers))
    _rewrite_shuffled(table, table.c.round_unit_id == unit.id)


def submit_with_code(code: str, answers: dict[str, Any], today: dt.date) -> None:
    """Consume the code and store the answers without any reference to it; delete the draft."""
    unit = unit_of_code(code, today)
    digest = code_hash(code)
    consumed = db.session.execute(
        update(AccessCode).where(AccessCode.code_hash == digest, AccessCode.used.is_(False))
        .values(used=True).execution_options(synchronize_session=False))
    if consumed.rowcount != 1:  # type: ignore[attr-defined]
        raise CodeError("used")
    db.session.execute(delete(AnonymousDraft).where(AnonymousDraft.code_hash == digest))
    codes = AccessCode.__table__
    _rewrite_shuffled(codes, (codes.c.round_unit_id == unit.id) & codes.c.used.is_(True))
    _write_response(unit, answers, today)
    db.session.flush()
    _forget_rewritten()


def submit_open(unit: AnonymousUnit, answers: dict[str, Any], today: dt.date) -> None:
    """Store answers given through the unit's open link (no code, no draft)."""
    if not unit.has_link or not unit.round.accepts_answers(today):
        raise CodeError("closed")
    _write_response(unit, answers, today)
    db.session.flush()
    _forget_rewritten()


# -- staff actions on answers ----------------------------------------------------------------

REDACTED = "[Borttaget av HR]"
REDACTED_ACTION = "anonymous.redacted"  # the audit action of a redaction (results depend on it)


def text_digest(text: str) -> str:
    """Return the short digest that identifies a shown free text (for the redact button)."""
    return hashlib.sha256(text.strip().encode()).hexdigest()[:32]


def _text_parts(value: Any) -> list[tuple[str | None, str]]:
    """Return (dict key or None, text) of the free texts inside one stored answer."""
    if isinstance(value, str):
        return [(None, value)]
    if isinstance(value, dict):
        return [(key, value[key]) for key in ("other", "comment")
                if isinstance(value.get(key), str)]
    return []


def redact_text(round_: AnonymousRound, question_id: str, digest: str) -> int:
    """Replace every free text of a question whose digest matches with a fixed note, for good.

    The audit entry names the question, never the text (that would undo the redaction).
    """
    changed = 0
    for response in responses(round_):
        value = response.answers.get(question_id)
        for key, text in _text_parts(value):
            if text != REDACTED and hmac.compare_digest(text_digest(text), digest):
                answers = dict(response.answers)
                answers[question_id] = REDACTED if key is None else {**value, key: REDACTED}
                response.answers = answers
                changed += 1
    if changed:
        db.session.flush()
        audit.record(REDACTED_ACTION, round_, summary=f"Fritextsvar på {question_id} "
                     "maskerat", question=question_id, count=changed)
    return changed


def response_counts(round_: AnonymousRound) -> dict[int, int]:
    """Return submitted answers per round unit id (raw; show only through suppression)."""
    rows = db.session.execute(
        select(AnonymousResponse.round_unit_id, func.count())
        .where(AnonymousResponse.round_id == round_.id)
        .group_by(AnonymousResponse.round_unit_id))
    return {unit_id: n for unit_id, n in rows}


def responses(round_: AnonymousRound) -> list[AnonymousResponse]:
    """Return the round's responses in id order (random, unrelated to arrival)."""
    return list(db.session.scalars(select(AnonymousResponse)
                                   .where(AnonymousResponse.round_id == round_.id)
                                   .order_by(AnonymousResponse.id)))


# -- retention -------------------------------------------------------------------------------


def add_months(day: dt.date, months: int) -> dt.date:
    """Return the same day `months` later (clamped to the month's last day)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month + 1, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover


@dataclass
class RetentionResult:
    """What `apply_retention` deleted for one round."""

    round_id: int
    title: str
    closed_on: dt.date
    responses: int
    codes: int
    drafts: int


def apply_retention(today: dt.date) -> list[RetentionResult]:
    """Delete raw answers, codes and drafts of rounds closed longer ago than the setting."""
    months = settings.get_retention_months()
    results = []
    rounds = db.session.scalars(select(AnonymousRound).where(
        AnonymousRound.state == AnonymousRoundState.CLOSED,
        AnonymousRound.raw_deleted_on.is_(None), AnonymousRound.closed_on.is_not(None)))
    for round_ in list(rounds):
        assert round_.closed_on is not None
        if add_months(round_.closed_on, months) > today:
            continue
        unit_ids = [u.id for u in round_.units]
        gone = [db.session.execute(delete(model).where(model.round_unit_id.in_(unit_ids)))
                .rowcount for model in (AnonymousResponse, AccessCode, AnonymousDraft)]  # type: ignore[attr-defined]
        round_.raw_deleted_on = today
        db.session.flush()
        audit.record("anonymous.retention", round_, summary=f"{round_.title}: {gone[0]} svar "
                     "raderade", responses=gone[0], months=months)
        results.append(RetentionResult(round_.id, round_.title, round_.closed_on, *gone))
    return results
