"""Anonymous surveys, service layer: codes, drafts, unlinkability, k, retention, settings."""

from __future__ import annotations

import datetime as dt
import random
import re
import uuid
from typing import Any

import numpy as np
import pytest
from sqlalchemy import select
from sqlalchemy import text

from tests import factories
from tests.conftest import PG_URL
from webapp import settings
from webapp.anonymous import results
from webapp.anonymous import services
from webapp.anonymous.models import AccessCode
from webapp.anonymous.models import AnonymousDraft
from webapp.anonymous.models import AnonymousResponse
from webapp.anonymous.models import AnonymousRound
from webapp.anonymous.models import AnonymousStateError
from webapp.audit import AuditEntry
from webapp.clock import today
from webapp.extensions import db
from webapp.questionnaires import schema

TIME_OF_DAY = re.compile(r"\b\d{1,2}:\d{2}(:\d{2})?\b")


def make_survey(units: dict[str, int], *, opens: dt.date | None = None,
                closes: dt.date | None = None) -> AnonymousRound:
    """Create and open a survey of medarbetarenkat.yaml for new units {name: employees}."""
    kommun = factories.gen_unit(name="Kommunen", kind="kommun", employees=0)
    made = [factories.gen_unit(kommun, name=name, employees=n) for name, n in units.items()]
    version = services.freeze_file("medarbetarenkat.yaml")
    survey = services.create_round(
        title="Medarbetarenkät", year=2026, questionnaire_version_id=version.id,
        opens_on=opens or today() - dt.timedelta(days=1),
        closes_on=closes or today() + dt.timedelta(days=14),
        target_unit_ids=[u.id for u in made], created_by=None)
    services.open_round(survey)
    db.session.commit()
    return survey


def unit_named(survey: AnonymousRound, name: str) -> Any:
    return next(u for u in survey.units if u.name == name)


def answers(i: int = 0, **extra: Any) -> dict[str, Any]:
    base = {"kon": "kvinna" if i % 2 else "man", "aldersgrupp": "fran_30_till_49",
            "respekt": 1 + i % 4, "utsatt": "nej"}
    base.update(extra)
    return base


def every_value() -> list[tuple[str, str, Any]]:
    """Return (table, column, value) for every column of every row of every table."""
    found = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(select(table)):
            for column, value in row._mapping.items():
                found.append((table.name, str(column), value))
    return found


def test_codes_are_random_typeable_and_stored_only_as_keyed_hashes(app):
    survey = make_survey({"Enhet A": 10})
    codes = services.generate_codes(survey.units[0], 50)
    db.session.commit()
    assert len(set(codes)) == 50
    for code in codes:
        assert re.fullmatch(r"([ACDEFHJKLMNPQRTUVWXY34679]{4}-){3}[ACDEFHJKLMNPQRTUVWXY34679]{4}",
                            code)
    assert services.normalize_code(codes[0].lower().replace("-", " ")) == codes[0].replace("-", "")
    assert services.normalize_code("O0O0-1111-2222-3333") is None
    plain = {c.replace("-", "") for c in codes} | set(codes)
    for table, column, value in every_value():
        assert not any(p in str(value) for p in plain), f"{table}.{column} holds a code"
    stored = set(db.session.scalars(select(AccessCode.code_hash)))
    assert stored == {services.code_hash(c.replace("-", "")) for c in codes}
    # A keyed hash: without the app secret the stored value is not the code's plain sha256.
    import hashlib

    assert hashlib.sha256(codes[0].replace("-", "").encode()).hexdigest() not in stored
    assert survey.units[0].codes_issued == 50


def test_a_code_submits_once(app):
    survey = make_survey({"Enhet A": 10})
    code = services.generate_codes(survey.units[0], 1)[0].replace("-", "")
    services.submit_with_code(code, answers(), today())
    db.session.commit()
    with pytest.raises(services.CodeError) as second:
        services.submit_with_code(code, answers(), today())
    assert second.value.reason == "used"
    db.session.rollback()
    with pytest.raises(services.CodeError) as lookup:
        services.unit_of_code(code, today())
    assert lookup.value.reason == "used"
    assert db.session.scalar(select(db.func.count()).select_from(AnonymousResponse)) == 1


def test_unknown_code_and_closed_round_are_refused(app):
    survey = make_survey({"Enhet A": 10})
    code = services.generate_codes(survey.units[0], 1)[0].replace("-", "")
    with pytest.raises(services.CodeError, match="unknown"):
        services.unit_of_code("ACDEFHJKLMNPQRTU", today())
    with pytest.raises(services.CodeError, match="closed"):
        services.unit_of_code(code, survey.closes_on + dt.timedelta(days=1))


def test_drafts_come_back_with_the_code_encrypted_and_vanish_at_submit(app):
    survey = make_survey({"Enhet A": 10})
    code = services.generate_codes(survey.units[0], 1)[0].replace("-", "")
    draft = answers(forbattringsforslag="Hemlig idé om schemat")
    services.save_draft(code, draft, today())
    db.session.commit()
    db.session.expire_all()
    assert services.load_draft(code) == draft
    stored = db.session.scalars(select(AnonymousDraft)).one()
    assert stored.code_hash == services.code_hash(code)
    assert "Hemlig" not in stored.ciphertext
    assert "kvinna" not in stored.ciphertext
    # The stored hash alone does not unlock it: another code cannot read it.
    other = services.generate_codes(survey.units[0], 1)[0].replace("-", "")
    assert services.load_draft(other) is None
    services.submit_with_code(code, draft, today())
    db.session.commit()
    assert db.session.scalar(select(db.func.count()).select_from(AnonymousDraft)) == 0
    assert services.load_draft(code) is None
    response = db.session.scalars(select(AnonymousResponse)).one()
    assert response.answers == draft
    assert set(AnonymousResponse.__table__.columns.keys()) == {
        "id", "round_id", "round_unit_id", "answered_week", "answers"}


def test_many_submissions_leave_no_link_in_any_table_or_audit(app):
    survey = make_survey({"Enhet A": 30, "Enhet B": 30})
    unit_a, unit_b = survey.units
    codes = [c.replace("-", "") for c in services.generate_codes(unit_a, 40)]
    codes += [c.replace("-", "") for c in services.generate_codes(unit_b, 20)]
    db.session.commit()
    audit_before = db.session.scalar(select(db.func.count()).select_from(AuditEntry))
    used = codes[:45]
    for i, code in enumerate(used):
        if i % 3 == 0:
            services.save_draft(code, answers(i), today())
            db.session.commit()
        services.submit_with_code(code, answers(i, forbattringsforslag=f"förslag nummer {i}"),
                                  today())
        db.session.commit()
    hashes = {services.code_hash(c) for c in codes}
    # Nothing respondents did was audited (no timestamps of arrivals anywhere).
    assert db.session.scalar(select(db.func.count()).select_from(AuditEntry)) == audit_before
    response_tables = {"anonymous_response"}
    for table, column, value in every_value():
        rendered = str(value)
        assert not any(c in rendered for c in codes), f"{table}.{column} holds a code"
        if table in response_tables:
            assert not any(h in rendered for h in hashes), f"{table}.{column} holds a hash"
            assert not TIME_OF_DAY.search(rendered), f"{table}.{column} holds a time of day"
            assert not isinstance(value, dt.datetime), f"{table}.{column} is a timestamp"
    # Responses and codes share no column but the unit; ids are random version-4 UUIDs.
    response_cols = set(AnonymousResponse.__table__.columns.keys())
    code_cols = set(AccessCode.__table__.columns.keys())
    assert response_cols & code_cols == {"round_unit_id"}
    rows = db.session.scalars(select(AnonymousResponse)).all()
    assert len(rows) == 45
    assert all(uuid.UUID(r.id).version == 4 for r in rows)
    assert {r.answered_week for r in rows} == {services.iso_week(today())}
    # Storage order is not arrival order: the numbers in the texts are not sorted.
    raw_order = [int(r[0].rsplit(" ", 1)[1]) for r in db.session.execute(
        select(AnonymousResponse.answers["forbattringsforslag"].as_string())
        .where(AnonymousResponse.round_unit_id == unit_a.id))]
    assert raw_order != sorted(raw_order)
    # Used codes: exactly 45 marked used, nothing says which response used which.
    assert db.session.scalar(select(db.func.count()).select_from(AccessCode)
                             .where(AccessCode.used.is_(True))) == 45


def test_storage_does_not_reveal_arrival_order(app):
    """Each backend has its own trace of arrival: SQLite's rowid, PostgreSQL's xmin."""
    if PG_URL:
        _check_postgres_system_columns()
    else:
        for name in ("anonymous_response", "anonymous_access_code", "anonymous_draft"):
            sql = db.session.scalar(text("select sql from sqlite_master where name = :n"),
                                    {"n": name})
            assert "WITHOUT ROWID" in sql.upper(), name


def _check_postgres_system_columns():
    survey = make_survey({"Enhet A": 30})
    codes = [c.replace("-", "") for c in services.generate_codes(survey.units[0], 12)]
    for i, code in enumerate(codes):
        services.submit_with_code(code, answers(i), today())
        db.session.commit()
    xmins = set(db.session.scalars(text("select xmin::text from anonymous_response")))
    code_xmins = set(db.session.scalars(
        text("select xmin::text from anonymous_access_code where used")))
    # One transaction id for all rows of the unit: the last one gives nothing away.
    assert len(xmins) == 1
    assert len(code_xmins) == 1


def test_thousand_submissions_through_the_service_layer(app):
    survey = make_survey({f"Enhet {i}": 60 for i in range(20)})
    batches = [[c.replace("-", "") for c in services.generate_codes(unit, 50)]
               for unit in survey.units]
    db.session.commit()
    day = today()
    # Round-robin over the units, committing every 50 (the view commits each one; fewer
    # commits keep the test light on PostgreSQL, where every commit waits for the disk).
    codes = [code for group in zip(*batches, strict=True) for code in group]
    for i, code in enumerate(codes, start=1):
        services.submit_with_code(code, {"kon": "kvinna", "respekt": 1 + i % 4}, day)
        if i % 50 == 0:
            db.session.commit()
    counts = services.response_counts(survey)
    assert sum(counts.values()) == 1000
    assert set(counts.values()) == {50}


def test_open_link_submits_without_code_or_draft(app):
    survey = make_survey({"Enhet A": 10})
    unit = survey.units[0]
    token = services.set_code_word(unit, "Vårsol 2026")
    db.session.commit()
    assert services.unit_by_link(token) is unit
    assert services.check_code_word(unit, "  vårsol   2026 ")
    assert not services.check_code_word(unit, "vårsol")
    assert "Vårsol" not in (unit.code_word_hash or "")
    services.submit_open(unit, answers(), today())
    services.submit_open(unit, answers(1), today())
    db.session.commit()
    assert services.response_counts(survey) == {unit.id: 2}
    with pytest.raises(AnonymousStateError):
        services.set_code_word(unit, "kort")


def test_closing_deletes_codes_and_drafts(app):
    survey = make_survey({"Enhet A": 10})
    codes = [c.replace("-", "") for c in services.generate_codes(survey.units[0], 3)]
    services.save_draft(codes[0], answers(), today())
    services.submit_with_code(codes[1], answers(), today())
    services.close_round(survey, today())
    db.session.commit()
    assert db.session.scalar(select(db.func.count()).select_from(AccessCode)) == 0
    assert db.session.scalar(select(db.func.count()).select_from(AnonymousDraft)) == 0
    assert db.session.scalar(select(db.func.count()).select_from(AnonymousResponse)) == 1
    with pytest.raises(services.CodeError, match="unknown"):
        services.unit_of_code(codes[2], today())


# -- k: minimum group size ---------------------------------------------------------------------


def test_min_group_size_setting_defaults_to_5_and_never_goes_below_3(app):
    assert settings.get_min_group_size() == 5
    settings.set_min_group_size(7)
    assert settings.get_min_group_size() == 7
    with pytest.raises(ValueError, match="at least 3"):
        settings.set_min_group_size(2)
    db.session.get(settings.Setting, settings.MIN_GROUP_SIZE_KEY).value = 1  # a tampered row
    assert settings.get_min_group_size() == 3
    assert results.current_k() == 3


def _fill(survey: AnonymousRound, counts: dict[str, int], rng: random.Random) -> list[dict]:
    """Submit counts[name] open-link answers per unit; return the raw answers with unit."""
    raw = []
    for name, n in counts.items():
        unit = unit_named(survey, name)
        if not unit.has_link:
            services.set_code_word(unit, "kodord123")
        for i in range(n):
            given = answers(rng.randrange(100), kon=rng.choice(["kvinna", "man", "annat"]),
                            forbattringsforslag=f"text {name} {i}")
            services.submit_open(unit, given, today())
            raw.append({"unit": name, **given})
    db.session.commit()
    return raw


COUNTS = {"Stor": 23, "Mellan": 11, "Liten": 3, "Fyra": 4, "Sju": 7}


@pytest.fixture
def closed_survey(app):
    survey = make_survey({name: 30 for name in COUNTS})
    raw = _fill(survey, COUNTS, random.Random(4))
    services.close_round(survey, today())
    db.session.commit()
    return survey, raw


def test_participation_hides_small_units_and_one_more(closed_survey):
    survey, _raw = closed_survey
    rows = {r[0]: r for r in results.participation_rows(survey)}
    assert rows["Liten"][2:] == ("–", "–")
    assert rows["Fyra"][2:] == ("–", "–")
    assert rows["Stor"][2] == "23"
    assert rows["Stor"][3] == "77 %"
    assert rows["Hela organisationen"][2] == str(sum(COUNTS.values()))
    # Two hidden units: the total minus the visible ones gives only their sum.
    hidden = [name for name, r in rows.items() if r[2] == "–"]
    assert len(hidden) >= 2


def _numbers(table) -> list[Any]:
    return [v for col in table.columns for v in table[col] if isinstance(v, int | float)]


@pytest.mark.parametrize("grouping", ["enhet", "kon", "aldersgrupp", "enhet+kon",
                                      "enhet+aldersgrupp"])
def test_no_group_below_k_shows_a_figure_anywhere(closed_survey, grouping):
    survey, raw = closed_survey
    k = results.current_k()
    view = results.build(survey, grouping, rng=random.Random(1))
    by = view.by
    labels = {"kvinna": "Kvinna", "man": "Man", "annat": "Annat"}
    true_n: dict[tuple, int] = {}
    for r in raw:
        key = tuple(r["unit"] if c == "enhet" else labels.get(r.get(c.removeprefix("bakgrund_")),
                                                              "30–49 år") for c in by)
        true_n[key] = true_n.get(key, 0) + 1
    small = {key for key, n in true_n.items() if n < k}
    for name, table in results.export_tables(view).items():
        for _i, row in table.iterrows():
            key = tuple(row[c] for c in by)
            if key in small:
                numeric = [row[c] for c in table.columns if c not in by and c not in (
                    "question", "option", "label", "item")]
                assert all(v == "–" for v in numeric), (name, key, numeric)
    # The page: no row label of a small group with a number, no texts of small groups.
    for question in view.questions:
        for label, cells in question.rows:
            if tuple(label.split(" · ")) in small:
                assert set(cells) == {"–"}, (question.spec.id, label, cells)
        for label, texts in question.texts:
            assert tuple(label.split(" · ")) not in small
            assert texts
    # The CSV holds aggregates only: never a raw free text of a small group.
    csv = results.to_csv(view).decode("utf-8")
    assert "text Liten" not in csv
    assert "text Fyra" not in csv


def test_differencing_across_groupings_reveals_nothing_below_k(closed_survey):
    """For every sibling set of every grouping, a hidden group never stands alone."""
    survey, _raw = closed_survey
    for grouping, _label in results.groupings(survey):
        view = results.build(survey, grouping)
        groups = view.groups[view.groups[view.by[0]] != "Hela organisationen"]
        sets = [[c for c in view.by if c != col] for col in view.by]
        for keys in sets:
            parts = groups.groupby(keys) if keys else [((), groups)]
            for _key, part in parts:
                hidden = int(part["suppressed"].sum())
                assert hidden != 1 or len(part) == 1, (grouping, keys, part)


def test_free_texts_random_order_and_redaction_is_audited_and_final(closed_survey):
    survey, _raw = closed_survey
    orders = set()
    for seed in range(5):
        view = results.build(survey, "enhet", rng=random.Random(seed))
        texts = next(q for q in view.questions if q.spec.id == "forbattringsforslag").texts
        stor = dict(texts)["Stor"]
        orders.add(tuple(t for t, _d in stor))
    assert len(orders) > 1
    target, digest = stor[0]
    assert services.redact_text(survey, "forbattringsforslag", digest) == 1
    db.session.commit()
    dumped = " ".join(str(v) for _t, _c, v in every_value())
    # Gone from every table, the audit log included ("text Stor 2" but not "text Stor 21").
    assert not re.search(rf"{re.escape(target)}(?!\d)", dumped)
    entry = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "anonymous.redacted")).one()
    assert entry.details["question"] == "forbattringsforslag"
    assert services.redact_text(survey, "forbattringsforslag", digest) == 0


def test_results_follow_the_admins_k(closed_survey):
    survey, _raw = closed_survey
    settings.set_min_group_size(3)
    rows = {r[0]: r for r in results.participation_rows(survey)}
    assert rows["Liten"][2] == "3"


# -- privacy of the questionnaire, retention ----------------------------------------------------


def test_default_questionnaire_asks_no_special_categories(app):
    from pathlib import Path

    path = Path(app.config["QUESTIONNAIRE_FOLDER"]) / "medarbetarenkat.yaml"
    definition = schema.load_definition(path)
    assert services.privacy_problems(definition) == []
    background = services.background_questions(definition)
    assert {q.id for q in background} == {"kon", "aldersgrupp"}
    assert all(not set(q.tags.grounds) & services.SPECIAL_CATEGORY_GROUNDS for q in background)


def test_background_question_on_a_special_category_is_refused(app):
    from pathlib import Path

    path = Path(app.config["QUESTIONNAIRE_FOLDER"]) / "medarbetarenkat.yaml"
    data = schema.load_definition(path).model_dump(mode="json", by_alias=True)
    data["sections"][0]["questions"].append({
        "id": "religion", "type": "single_choice", "text": "Vilken religion har du?",
        "tags": {"grounds": ["religion"]},
        "options": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}]})
    definition = schema.Definition.model_validate(data)
    problems = services.privacy_problems(definition)
    assert problems
    assert "religion" in problems[0]
    from webapp.questionnaires.services import freeze

    version = freeze(definition)
    with pytest.raises(AnonymousStateError):
        services.create_round(title="x", year=2026, questionnaire_version_id=version.id,
                              opens_on=today(), closes_on=today(), target_unit_ids=[],
                              created_by=None)


def test_retention_deletes_raw_answers_past_the_period(app, runner):
    old = make_survey({"Gammal": 10}, opens=dt.date(2024, 3, 1), closes=today())
    new = make_survey({"Ny": 10})
    for survey in (old, new):
        services.set_code_word(survey.units[0], "kodord123")
        services.submit_open(survey.units[0], answers(), today())
    services.close_round(old, dt.date(2024, 3, 31))
    services.close_round(new, today())
    settings.set_retention_months(12)
    db.session.commit()
    result = runner.invoke(args=["retention", "apply"])
    assert result.exit_code == 0, result.output
    assert "Medarbetarenkät (stängd 2024-03-31): 1 svar" in result.output
    db.session.expire_all()
    assert services.response_counts(old) == {}
    assert services.response_counts(new) == {new.units[0].id: 1}
    assert db.session.get(AnonymousRound, old.id).raw_deleted_on == today()
    again = runner.invoke(args=["retention", "apply"])
    assert "Inget att radera" in again.output


def test_add_months_clamps_to_month_end():
    assert services.add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert services.add_months(dt.date(2026, 11, 15), 14) == dt.date(2028, 1, 15)


def test_no_count_below_k_can_be_solved_from_every_grouping_and_export(app):
    """An attacker holds the exports of every grouping the page offers (unit, kön, åldersgrupp
    and their crossings with units) and solves the equations exactly: no group or cell below k
    can be computed. The data repeat the classic case: women only in unit A, beside its 1 man."""
    settings.set_min_group_size(3)
    survey = make_survey({"A": 20, "B": 10, "C": 15})
    given = {"A": [("kvinna", 12), ("man", 1)], "B": [("man", 3)],
             "C": [("man", 4)]}
    cells: dict[tuple[str, str], int] = {}
    for name, parts in given.items():
        unit = unit_named(survey, name)
        services.set_code_word(unit, "kodord123")
        for kon, n in parts:
            for i in range(n):
                services.submit_open(unit, answers(i, kon=kon), today())
            cells[(name, {"kvinna": "Kvinna", "man": "Man"}[kon])] = n
    services.close_round(survey, today())
    db.session.commit()
    keys = list(cells)
    counts = np.array([cells[key] for key in keys], dtype=float)

    def indicator(by: list[str], row: Any) -> np.ndarray:
        vector = np.ones(len(keys))
        for col in by:
            value = row[col]
            if value == "Hela organisationen":
                continue
            if col == results.UNIT:
                vector *= [unit == value for unit, _kon in keys]
            elif col == results.BG + "kon":
                vector *= [kon == value for _unit, kon in keys]
            else:  # åldersgrupp: everybody answered the same
                vector *= 1.0
        return vector

    known, groups = [], []
    for grouping, _label in results.groupings(survey):
        view = results.build(survey, grouping, rng=random.Random(0))
        table = results.export_tables(view)["grupper"]
        for _i, row in table.iterrows():
            vector = indicator(view.by, row)
            if row["n"] != "–":
                assert row["n"] == vector @ counts and row["n"] >= 3, (grouping, dict(row))
                known.append(vector)
            groups.append((grouping, dict(row), vector))
    base = np.array(known)
    rank = np.linalg.matrix_rank(base)
    targets = [(f"cell {key}", np.eye(len(keys))[i]) for i, key in enumerate(keys)]
    targets += [(f"{grouping} {row}", vector) for grouping, row, vector in groups]
    for what, vector in targets:
        value = float(vector @ counts)
        if 0 < value < 3:
            solvable = np.linalg.matrix_rank(np.vstack([base, vector])) == rank
            assert not solvable, f"{what} = {value} can be computed from the exports"
    # The unit table still shows every unit: the background table gave way, not the units.
    units = results.export_tables(results.build(survey, results.UNIT))["grupper"]
    assert dict(zip(units[results.UNIT], units["n"], strict=True)) == {
        "A": 13, "B": 3, "C": 4, "Hela organisationen": 20}
