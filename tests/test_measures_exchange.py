"""Export to CSV/Excel and import back: validated, all rows or none, idempotent by Referens."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import func
from sqlalchemy import select

from tests.factories import gen_measure
from tests.factories import gen_unit
from tests.factories import gen_user
from webapp.extensions import db
from webapp.measures import exchange
from webapp.measures import services
from webapp.measures.models import Measure
from webapp.organisation.models import Role

HEADERS = ["Id", "Referens", "Period", "Enhetskod", "Enhet", "Område", "Diskrimineringsgrunder",
           "Mål", "Åtgärd", "Beskrivning", "Syfte", "Målgrupp", "Uppföljning", "Ansvarig",
           "Tidsplan", "Slutdatum", "Status", "Effekt", "Utvärdering", "Ursprung",
           "Förlängd från"]


@pytest.fixture
def setup(app):  # type: ignore[no-untyped-def]
    kommun = gen_unit(code="EK", name="Exempelkommun")
    soc = gen_unit(kommun, code="SOC", name="Socialförvaltningen")
    buf = gen_unit(kommun, code="BUF", name="Barn- och utbildningsförvaltningen")
    year = services.current_period()
    m1 = gen_measure(soc, title="APT-tema jargong", area="trakasserier",
                     grounds=["kon", "etnisk"])
    services.evaluate(m1, "genomford", "ja", "Alla grupper har haft temat")
    gen_measure(None, title="Lönekartläggning", area="lonekartlaggning")
    gen_measure(buf, title="=HYPERLINK(\"x\")", area="loner")
    gen_measure(soc, title="Förra året", period=year - 1)
    db.session.commit()
    return {"hr": gen_user(Role.HR), "head": gen_user(Role.HEAD, units=[buf]), "soc": soc,
            "year": year}


def test_csv_export_semicolon_with_bom_and_swedish_headers(client, auth, setup) -> None:  # type: ignore[no-untyped-def]
    auth.login_as(setup["hr"])
    response = client.get("/atgarder/export.csv",
                          query_string={"period": setup["year"], "avgransare": "semikolon"})
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith("\ufeff".encode())
    frame = pd.read_csv(io.BytesIO(response.data), sep=";", encoding="utf-8-sig", dtype=str)
    assert list(frame.columns) == HEADERS
    assert len(frame) == 3
    row = frame[frame["Åtgärd"] == "APT-tema jargong"].iloc[0]
    assert row["Enhetskod"] == "SOC"
    assert row["Område"] == "Trakasserier, sexuella trakasserier och repressalier"
    assert row["Diskrimineringsgrunder"] == "Kön, Etnisk tillhörighet"
    assert (row["Status"], row["Effekt"]) == ("Genomförd", "Ja")
    assert frame[frame["Åtgärd"] == "Lönekartläggning"].iloc[0]["Enhet"] == "Hela kommunen"
    # Formulas are neutralised so Excel shows them as text.
    assert "'=HYPERLINK(\"x\")" in frame["Åtgärd"].tolist()


def test_csv_export_comma(client, auth, setup) -> None:  # type: ignore[no-untyped-def]
    auth.login_as(setup["hr"])
    response = client.get("/atgarder/export.csv", query_string={"period": ""})
    frame = pd.read_csv(io.BytesIO(response.data), encoding="utf-8-sig")
    assert len(frame) == 4


def test_xlsx_export_respects_filters_and_scope(client, auth, setup) -> None:  # type: ignore[no-untyped-def]
    auth.login_as(setup["head"])
    response = client.get("/atgarder/export.xlsx", query_string={"period": setup["year"]})
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    sheet = workbook.active
    assert [c.value for c in sheet[1]] == HEADERS
    frame = pd.read_excel(io.BytesIO(response.data), dtype=str)
    # The head sees BUF's measure and the organisation-wide one, not SOC's.
    assert sorted(frame["Åtgärd"]) == ["'=HYPERLINK(\"x\")", "Lönekartläggning"]


def csv_bytes(rows: list[list[str]], sep: str = ";") -> bytes:
    return ("\ufeff" + "\n".join(sep.join(r) for r in rows)).encode()


GOOD = [
    ["Referens", "Period", "Enhetskod", "Område", "Diskrimineringsgrunder", "Åtgärd", "Mål",
     "Ansvarig", "Tidsplan", "Slutdatum", "Status", "Effekt"],
    ["AA-1", "2026", "SOC", "Arbetsförhållanden", "Kön, Ålder", "Skyddsrond med OSA",
     "Risker kända", "Chef", "1 ggr/år", "2026-04-30", "Pågår", ""],
    ["AA-2", "2026", "", "lonekartlaggning", "kön", "Lönekartläggning 2026", "", "Personalchef",
     "Årligen", "", "", ""],
]


def upload(client, data: bytes, name: str = "register.csv"):  # type: ignore[no-untyped-def]
    return client.post("/atgarder/import", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(Measure)) or 0


def test_import_dry_run_then_confirm(client, auth, setup, app) -> None:  # type: ignore[no-untyped-def]
    auth.login_as(setup["hr"])
    before = count()
    preview = upload(client, csv_bytes(GOOD))
    text = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "Provkörning" in text
    assert "2 nya" in text
    assert count() == before  # nothing saved by the dry run
    token = text.split("/atgarder/import/")[1].split('"')[0]
    response = client.post(f"/atgarder/import/{token}")
    assert response.status_code == 302
    assert count() == before + 2
    imported = db.session.scalar(select(Measure).where(Measure.reference == "AA-1"))
    assert imported.unit_id == setup["soc"].id
    assert imported.status == "pagar"
    assert imported.grounds == ["kon", "alder"]
    assert imported.deadline.isoformat() == "2026-04-30"
    org_wide = db.session.scalar(select(Measure).where(Measure.reference == "AA-2"))
    assert org_wide.unit_id is None
    assert org_wide.area == "lonekartlaggning"
    assert org_wide.origin == "Import register.csv"
    # The stored upload is gone after the import.
    assert client.post(f"/atgarder/import/{token}").status_code == 404


def test_import_is_idempotent_by_reference(client, auth, setup) -> None:  # type: ignore[no-untyped-def]
    auth.login_as(setup["hr"])
    plan = exchange.plan_import(GOOD[0], GOOD[1:])
    exchange.apply_import(plan, source="första")
    db.session.commit()
    before = count()
    changed = [row[:] for row in GOOD]
    changed[1][6] = "Alla risker kända och åtgärdade"
    changed[1][10] = "Genomförd"
    changed[1][11] = "Ja"
    again = exchange.plan_import(changed[0], changed[1:])
    assert again.ok
    assert [i.action for i in again.items] == ["ändrad", "oförändrad"]
    exchange.apply_import(again, source="andra")
    db.session.commit()
    assert count() == before
    measure = db.session.scalar(select(Measure).where(Measure.reference == "AA-1"))
    assert (measure.goal, measure.status, measure.effect) == (
        "Alla risker kända och åtgärdade", "genomford", "ja")


BAD_CASES = [
    (3, "Område", "Lön", "”Lön” är inget känt område"),
    (2, "Period", "tjugo", "”tjugo” är inget år"),
    (2, "Enhetskod", "XYZ", "det finns ingen enhet med koden ”XYZ”"),
    (3, "Slutdatum", "31/12", "”31/12” är inget datum"),
    (2, "Status", "Klar", "”Klar” är ingen status"),
    (2, "Diskrimineringsgrunder", "Hårfärg", "”Hårfärg” är ingen diskrimineringsgrund"),
    (3, "Åtgärd", "", "åtgärden saknar namn"),
]


@pytest.mark.parametrize(("row", "column", "value", "message"), BAD_CASES)
def test_bad_rows_are_reported_and_nothing_is_imported(client, auth, setup, row, column,
                                                       value, message) -> None:  # type: ignore[no-untyped-def]
    auth.login_as(setup["hr"])
    rows = [r[:] for r in GOOD]
    rows[row - 1][rows[0].index(column)] = value
    before = count()
    response = upload(client, csv_bytes(rows))
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f"Rad {row}, kolumn ”{column}”: {message}" in text
    assert "Ingenting har importerats" in text
    assert count() == before


def test_every_bad_row_is_listed(setup) -> None:  # type: ignore[no-untyped-def]
    rows = [r[:] for r in GOOD]
    rows[1][3] = "Okänt"
    rows[2][1] = "1999"
    plan = exchange.plan_import(rows[0], rows[1:])
    assert [(p.row, p.column) for p in plan.problems] == [(2, "Område"), (3, "Period")]
    with pytest.raises(exchange.ImportError_):
        exchange.apply_import(plan)


def test_missing_and_unknown_columns(app) -> None:  # type: ignore[no-untyped-def]
    plan = exchange.plan_import(["Period", "Åtgärd", "Färg"], [["2026", "X", "röd"]])
    assert [str(p) for p in plan.problems] == [
        "Rad 1, kolumn ”Färg”: okänd kolumn. Tillåtna kolumner: " + ", ".join(HEADERS),
        "Rad 1, kolumn ”Område”: kolumnen saknas men måste finnas",
    ]


def test_duplicate_reference_in_file(setup) -> None:  # type: ignore[no-untyped-def]
    rows = [r[:] for r in GOOD]
    rows[2][0] = "AA-1"
    plan = exchange.plan_import(rows[0], rows[1:])
    assert [str(p) for p in plan.problems] == [
        "Rad 3, kolumn ”Referens”: referensen ”AA-1” finns redan på rad 2"]


def test_import_xlsx(client, auth, setup) -> None:  # type: ignore[no-untyped-def]
    auth.login_as(setup["hr"])
    workbook = openpyxl.Workbook()
    for row in GOOD:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = upload(client, buffer.getvalue(), "register.xlsx")
    assert response.status_code == 200
    assert "2 nya" in response.get_data(as_text=True)


def test_export_then_import_roundtrip(app, setup) -> None:  # type: ignore[no-untyped-def]
    measures = services.filtered(None, services.MeasureFilter(period=setup["year"]))
    headers, rows = exchange.export_table(measures)
    data = exchange.to_xlsx(headers, rows)
    plan = exchange.plan_import(*exchange.read_table("x.xlsx", data))
    assert plan.ok, plan.problems
    assert plan.count("ny") == 3


@pytest.mark.parametrize(("name", "data", "message"), [
    ("register.pdf", b"%PDF", "Filen måste vara .csv eller .xlsx."),
    ("register.csv", "Period;Åtgärd\n2026;Lön".encode("cp1252"), "inte sparad som UTF-8"),
    ("register.xlsx", b"not a zip", "kan inte läsas som en Excel-fil"),
])
def test_unreadable_files(client, auth, setup, name, data, message) -> None:  # type: ignore[no-untyped-def]
    auth.login_as(setup["hr"])
    text = upload(client, data, name).get_data(as_text=True)
    assert message in text


def test_heads_cannot_import(client, auth, setup) -> None:  # type: ignore[no-untyped-def]
    auth.login_as(setup["head"])
    assert client.get("/atgarder/import").status_code == 403
    assert upload(client, csv_bytes(GOOD)).status_code == 403
