"""The Measure model guards its own status transitions and evaluation."""

from __future__ import annotations

import datetime as dt

import pytest

from webapp.measures.models import InvalidTransition
from webapp.measures.models import Measure
from webapp.measures.models import Status

NOW = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)


def make(status: str = "planerad", effect: str = "ej_bedomd") -> Measure:
    return Measure(title="Åtgärd", period=2026, area="loner", status=status, effect=effect,
                   evaluation="", grounds=[])


@pytest.mark.parametrize(("start", "target"), [
    ("planerad", "pagar"), ("planerad", "genomford"), ("planerad", "avbruten"),
    ("pagar", "genomford"), ("pagar", "avbruten"), ("pagar", "planerad"),
    ("genomford", "pagar"),
])
def test_allowed_transitions(start: str, target: str) -> None:
    measure = make(start)
    measure.change_status(target)
    assert measure.status == target


@pytest.mark.parametrize(("start", "target"), [
    ("genomford", "planerad"), ("genomford", "avbruten"), ("avbruten", "pagar"),
    ("avbruten", "planerad"), ("forlangd", "pagar"), ("forlangd", "genomford"),
    ("planerad", "forlangd"), ("pagar", "forlangd"),
])
def test_invalid_transitions_raise(start: str, target: str) -> None:
    measure = make(start)
    with pytest.raises(InvalidTransition):
        measure.change_status(target)
    assert measure.status == start


def test_same_status_is_no_change() -> None:
    measure = make("pagar")
    measure.change_status("pagar")
    assert measure.status == "pagar"


def test_named_transitions() -> None:
    measure = make()
    measure.start()
    assert measure.status == Status.PAGAR
    measure.complete()
    assert measure.status == Status.GENOMFORD
    with pytest.raises(InvalidTransition):
        measure.cancel()


def test_unknown_status_raises() -> None:
    with pytest.raises(ValueError, match="klar"):
        make().change_status("klar")


def test_planned_measure_cannot_have_had_effect() -> None:
    measure = make()
    with pytest.raises(InvalidTransition):
        measure.record_evaluation("ja", "Bra", NOW)
    measure.record_evaluation("nej", "Inte påbörjad", NOW)
    assert measure.effect == "nej"
    assert measure.evaluated_at == NOW


def test_measure_with_effect_cannot_become_planned_again() -> None:
    measure = make("pagar", effect="delvis")
    with pytest.raises(InvalidTransition):
        measure.change_status("planerad")


@pytest.mark.parametrize("status", ["avbruten", "forlangd"])
def test_final_measures_cannot_be_extended(status: str) -> None:
    measure = make(status)
    assert not measure.can_extend
    with pytest.raises(InvalidTransition):
        measure.mark_extended()


def test_labels() -> None:
    measure = make("pagar")
    measure.grounds = ["alder", "kon"]
    assert measure.status_label == "Pågår"
    assert measure.area_label == "Löner och andra anställningsvillkor"
    assert measure.ground_labels == ["Kön", "Ålder"]
    assert measure.effect_label == "Ej bedömd"
