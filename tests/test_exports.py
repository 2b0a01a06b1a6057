"""reports.exports: CSV with BOM, the semicolon variant and streaming .xlsx."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd

from reports import exports

FRAME = pd.DataFrame({"unit": ["SOC", "BUF"], "share": [12.5, None], "text": ["=1+1", "Åsa"]})
HEADERS = {"unit": "Enhet", "share": "Andel (%)", "text": "Kommentar"}


def _bytes(chunks):
    return b"".join(chunks)


def test_csv_has_bom_and_swedish_headers():
    data = _bytes(exports.export([exports.sheet_from_frame("Tabell", FRAME, HEADERS)], "csv"))
    assert data.startswith("\ufeff".encode())
    frame = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert list(frame.columns) == ["Enhet", "Andel (%)", "Kommentar"]
    assert frame["Andel (%)"].tolist()[0] == 12.5
    assert frame["Kommentar"].tolist() == ["'=1+1", "Åsa"]  # no formula injection


def test_semicolon_variant_uses_decimal_comma():
    data = _bytes(exports.export([exports.sheet_from_frame("T", FRAME, HEADERS)],
                                 "csv-semikolon")).decode("utf-8-sig")
    lines = data.splitlines()
    assert lines[0] == "Enhet;Andel (%);Kommentar"
    assert lines[1] == "SOC;12,5;'=1+1"
    frame = pd.read_csv(io.StringIO(data), sep=";", decimal=",")
    assert frame["Andel (%)"].tolist()[0] == 12.5


def test_xlsx_streams_a_generator_of_rows():
    rows = ([f"E{i}", i, i / 2] for i in range(2000))  # never a list
    sheet = exports.Sheet("Svar", ["Enhet", "Antal", "Halva"], rows)
    data = _bytes(exports.export([sheet], "xlsx"))
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    ws = book["Svar"]
    values = list(ws.iter_rows(values_only=True))
    assert values[0] == ("Enhet", "Antal", "Halva")
    assert values[1] == ("E0", 0, 0)
    assert len(values) == 2001


def test_iter_csv_is_lazy():
    consumed = []

    def rows():
        for i in range(3):
            consumed.append(i)
            yield [i]

    lines = exports.iter_csv(exports.Sheet("T", ["a"], rows()))
    assert next(lines).startswith("\ufeff")
    assert consumed == []
