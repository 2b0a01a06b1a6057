"""Services of the measures register: changes are flushed and audited, never committed."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from tests.factories import gen_measure
from tests.factories import gen_unit
from tests.factories import gen_user
from webapp.audit import AuditEntry
from webapp.extensions import db
from webapp.measures import services
from webapp.measures.models import InvalidTransition
from webapp.measures.models import Measure
from webapp.organisation.models import Role

pytestmark = pytest.mark.usefixtures("app")


def actions(measure: Measure) -> list[str]:
    return [e.action for e in services.history(measure)]


def test_save_measure_creates_and_audits_changes() -> None:
    kommun = gen_unit()
    measure = services.save_measure(None, title="  APT-tema ", period=2026, area="loner",
                                    unit_id=kommun.id, grounds=["alder", "kon"],
                                    deadline=dt.date(2026, 3, 31))
    assert measure.title == "APT-tema"
    assert measure.grounds == ["kon", "alder"]  # the law's order
    assert measure.status == "planerad"
    services.save_measure(measure, title="APT-tema jämställdhet", goal="Alla deltar")
    entries = services.history(measure)
    assert [e.action for e in entries] == ["measure.updated", "measure.created"]
    assert entries[0].details["changes"]["title"] == ["APT-tema", "APT-tema jämställdhet"]
    services.save_measure(measure, title="APT-tema jämställdhet")  # nothing changed
    assert len(services.history(measure)) == 2


def test_save_measure_rejects_unknown_area_and_ground() -> None:
    with pytest.raises(ValueError, match="bananer"):
        services.save_measure(None, title="X", period=2026, area="bananer")
    with pytest.raises(ValueError, match="hårfärg"):
        services.save_measure(None, title="X", period=2026, area="loner", grounds=["hårfärg"])


def test_change_status_and_evaluate() -> None:
    measure = gen_measure()
    assert services.change_status(measure, "pagar") is True
    assert services.change_status(measure, "pagar") is False
    services.evaluate(measure, "genomford", "delvis", "Hälften av enheterna")
    assert (measure.status, measure.effect) == ("genomford", "delvis")
    assert measure.evaluated_at is not None
    assert actions(measure)[:2] == ["measure.evaluated", "measure.status_changed"]
    with pytest.raises(InvalidTransition):
        services.change_status(measure, "avbruten")
    with pytest.raises(InvalidTransition):
        services.evaluate(measure, "forlangd", "ja", "")


def test_extend_creates_continuation_and_keeps_history() -> None:
    unit = gen_unit()
    measure = gen_measure(unit, period=2025, deadline=dt.date(2025, 3, 31), reference="R-1")
    services.evaluate(measure, "pagar", "delvis", "Halvvägs")
    successor = services.extend(measure)
    assert successor.period == 2026
    assert successor.extended_from is measure
    assert measure.continuation is successor
    assert measure.status == "forlangd"
    assert (measure.effect, measure.evaluation) == ("delvis", "Halvvägs")
    assert successor.status == "planerad"
    assert successor.effect == "ej_bedomd"
    assert successor.deadline == dt.date(2026, 3, 31)
    assert successor.reference is None
    assert successor.unit_id == unit.id
    assert successor.title == measure.title
    assert "measure.extended" in actions(measure)
    assert measure.chain() == [measure, successor] == successor.chain()
    with pytest.raises(InvalidTransition, match="redan förlängd"):
        services.extend(measure)
    third = services.extend(successor)
    assert third.chain() == [measure, successor, third]


def test_measures_for_followup_covers_the_subtree_not_other_units() -> None:
    kommun = gen_unit()
    forvaltning = gen_unit(kommun)
    verksamhet = gen_unit(forvaltning, kind="verksamhet")
    other = gen_unit(kommun)
    own = gen_measure(forvaltning, period=2025, title="B egen")
    below = gen_measure(verksamhet, period=2025, title="A under", area="loner")
    gen_measure(other, period=2025, title="Annan förvaltning")
    org = gen_measure(None, period=2025, title="Kommungemensam")
    gen_measure(forvaltning, period=2026, title="Nästa år")
    cancelled = gen_measure(forvaltning, period=2025, title="Avbruten")
    services.change_status(cancelled, "avbruten")

    items = services.measures_for_followup(forvaltning, 2025)
    assert [i.id for i in items] == [own.id, below.id]  # ordered by area, then title
    assert items[0].status_label == "Planerad"
    assert items[1].unit_name == verksamhet.name
    assert items[0].responsible == "Chef"
    with_org = services.measures_for_followup(forvaltning, 2025, include_organisation_wide=True)
    assert org.id in {i.id for i in with_org}
    assert next(i for i in with_org if i.id == org.id).unit_name == "Hela kommunen"


def test_apply_followup_updates_register_and_audits_acceptance() -> None:
    hr = gen_user(Role.HR)
    measure = gen_measure(period=2025)
    services.apply_followup(measure, "genomford", "ja", "Alla chefer utbildade", accepted_by=hr,
                            round_id=7)
    assert (measure.status, measure.effect) == ("genomford", "ja")
    entry = services.history(measure)[0]
    assert entry.action == "measure.followup_applied"
    assert entry.details["accepted_by"] == hr.email
    assert entry.details["round_id"] == 7


def test_apply_followup_forlangd_extends() -> None:
    measure = gen_measure(period=2025)
    services.apply_followup(measure, "forlangd", "delvis", "Fortsätter", accepted_by=None)
    assert measure.status == "forlangd"
    assert measure.effect == "delvis"
    assert measure.continuation is not None
    assert measure.continuation.period == 2026


def test_apply_followup_invalid_answer_raises() -> None:
    measure = gen_measure(period=2025)
    services.change_status(measure, "avbruten")
    with pytest.raises(InvalidTransition):
        services.apply_followup(measure, "genomford", "ja", "")


def test_create_planned_from_rows() -> None:
    unit = gen_unit()
    rows = [
        {"title": "Kontakt med föräldralediga", "goal": "Alla får information",
         "area": "foraldraskap", "grounds": ["kon"], "responsible": "Chef",
         "schedule": "Löpande", "deadline": dt.date(2026, 6, 1), "unknown": "ignored"},
        {"title": "   "},  # an empty table row
        {"title": "Heltid som norm", "responsible": "HR-chef"},
    ]
    created = services.create_planned_from_rows(unit, 2026, rows, origin="Uppföljning 2025",
                                                origin_round_id=3, origin_answer_id=44)
    assert [m.title for m in created] == ["Kontakt med föräldralediga", "Heltid som norm"]
    assert all(m.status == "planerad" and m.period == 2026 and m.unit_id == unit.id
               for m in created)
    assert created[1].area == "arbetsforhallanden"
    assert (created[0].origin, created[0].origin_round_id, created[0].origin_answer_id) == (
        "Uppföljning 2025", 3, 44)


def test_filtered_respects_scope_and_filters() -> None:
    kommun = gen_unit()
    mine = gen_unit(kommun)
    theirs = gen_unit(kommun)
    a = gen_measure(mine, title="Mötestider på APT", area="foraldraskap")
    b = gen_measure(theirs, title="Lönekartläggning", area="lonekartlaggning")
    c = gen_measure(None, title="Chefsutbildning", area="kompetensutveckling")
    d = gen_measure(mine, title="Gammal", period=2020)
    everything = services.filtered(None, services.MeasureFilter())
    assert {m.id for m in everything} == {a.id, b.id, c.id, d.id}
    head_view = services.filtered({mine.id}, services.MeasureFilter())
    assert {m.id for m in head_view} == {a.id, c.id, d.id}
    f = services.MeasureFilter
    assert services.filtered(None, f(text="möTEStid")) == [a]
    assert services.filtered(None, f(area="lonekartlaggning")) == [b]
    assert services.filtered(None, f(organisation_wide=True)) == [c]
    assert services.filtered(None, f(period=2020)) == [d]
    assert {m.id for m in services.filtered(None, f(unit_id=kommun.id))} == {a.id, b.id, d.id}
    assert services.filtered(None, f(status="genomford")) == []


def test_plan_groups_by_area_in_the_laws_order() -> None:
    unit = gen_unit()
    other = gen_unit()
    gen_measure(unit, area="loner", title="Lön")
    gen_measure(unit, area="arbetsforhallanden", title="Skyddsrond")
    gen_measure(None, area="arbetsforhallanden", title="Nanoutbildning")
    gen_measure(other, area="rekrytering", title="Annonser")
    groups = services.plan(services.current_period())
    assert [g.area for g in groups] == ["arbetsforhallanden", "loner", "rekrytering"]
    assert [m.title for m in groups[0].measures] == ["Nanoutbildning", "Skyddsrond"]
    unit_groups = services.plan(services.current_period(), unit)
    assert [g.area for g in unit_groups] == ["arbetsforhallanden", "loner"]
    only_own = services.plan(services.current_period(), unit, include_organisation_wide=False)
    assert [m.title for m in only_own[0].measures] == ["Skyddsrond"]


def test_services_never_commit() -> None:
    services.save_measure(None, title="Ej sparad", period=2026, area="loner")
    db.session.rollback()
    assert db.session.scalar(select(Measure).where(Measure.title == "Ej sparad")) is None
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.summary == "Ej sparad")) is None


def test_demo_seeds_a_register_with_chains(runner) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    measures = list(db.session.scalars(select(Measure)))
    year = services.current_period()
    assert len(measures) >= 25
    assert {m.period for m in measures} == {year - 2, year - 1, year}
    assert {m.status for m in measures} >= {"planerad", "pagar", "genomford", "forlangd",
                                            "avbruten"}
    assert {m.effect for m in measures} >= {"ja", "delvis", "nej", "ej_bedomd"}
    assert any(m.unit_id is None for m in measures)
    assert any(m.unit_id for m in measures)
    chains = [m for m in measures if m.extended_from_id is None and m.continuation is not None]
    assert len(chains) >= 2
    assert max(len(m.chain()) for m in chains) == 3


def test_cli_export_and_import(runner, tmp_path) -> None:  # type: ignore[no-untyped-def]
    gen_measure(None, title="Lönekartläggning", reference="L-1", area="lonekartlaggning")
    target = tmp_path / "register.xlsx"
    result = runner.invoke(args=["measures", "export", str(target)])
    assert result.exit_code == 0, result.output
    assert "1 åtgärder" in result.output
    result = runner.invoke(args=["measures", "import", "--dry-run", str(target)])
    assert result.exit_code == 0, result.output
    assert "0 nya, 0 ändrade, 1 oförändrade" in result.output
    bad = tmp_path / "bad.csv"
    bad.write_text("Period;Område;Åtgärd\n2026;Lön;X\n", encoding="utf-8")
    result = runner.invoke(args=["measures", "import", str(bad)])
    assert result.exit_code == 1
    assert "Rad 2, kolumn ”Område”" in result.output
