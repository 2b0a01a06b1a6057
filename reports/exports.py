"""Exports: the data is built first (headers + rows, or a DataFrame), a thin function picks the
format last. CSV is UTF-8 with a byte-order mark so Excel reads å, ä and ö; the "excel" variant
uses semicolons and decimal commas, as Swedish Excel expects. Raw answers stream: CSV as a
generator of lines, .xlsx through openpyxl's write-only workbook into a temporary file, so a
large round never builds the whole file in memory.
"""

from __future__ import annotations

import csv
import io
import math
import tempfile
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

BOM = "\ufeff"
FORMATS = ("csv", "csv-semikolon", "xlsx")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "csv-semikolon": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
EXTENSIONS = {"csv": "csv", "csv-semikolon": "csv", "xlsx": "xlsx"}
# Cells starting with these are formulas to a spreadsheet; prefix them so they stay text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Sheet:
    """One table to export: a Swedish sheet name, Swedish headers and the rows."""

    name: str
    headers: Sequence[str]
    rows: Iterable[Sequence[Any]]


def sheet_from_frame(name: str, frame: pd.DataFrame,
                     headers: Mapping[str, str] | None = None) -> Sheet:
    """Return a sheet of the frame's columns, renamed by `headers` (column -> Swedish header).

    :param headers: when given, only these columns are exported, in this order.
    """
    if headers:
        cols = [c for c in headers if c in frame.columns]
        frame = frame[cols]
        names = [headers[c] for c in cols]
    else:
        names = [str(c) for c in frame.columns]
    rows = frame.astype(object).where(frame.notna(), None).itertuples(index=False, name=None)
    return Sheet(name=name[:31], headers=names, rows=rows)


def _safe_text(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def _cell_text(value: Any, decimal_comma: bool) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, float):
        text = f"{value:.1f}" if not value.is_integer() else f"{value:.0f}"
        return text.replace(".", ",") if decimal_comma else text
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    if hasattr(value, "isoformat"):
        return value.isoformat(sep=" ", timespec="minutes") if hasattr(value, "hour") \
            else value.isoformat()
    return _safe_text(str(value))


def iter_csv(sheet: Sheet, variant: str = "csv") -> Iterator[str]:
    """Yield a CSV document line by line, starting with the BOM.

    :param variant: "csv" (comma, decimal point) or "csv-semikolon" (semicolon, decimal comma).
    """
    semicolon = variant == "csv-semikolon"
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";" if semicolon else ",", lineterminator="\r\n")

    def line(values: Iterable[Any]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([_cell_text(v, semicolon) for v in values])
        return buffer.getvalue()

    yield BOM + line(sheet.headers)
    for row in sheet.rows:
        yield line(row)


def _xlsx_value(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, bool | int | float):
        return value
    if hasattr(value, "tzinfo") and getattr(value, "tzinfo", None) is not None:
        return value.replace(tzinfo=None)  # Excel has no time zones; values are UTC
    if hasattr(value, "isoformat"):
        return value
    if isinstance(value, list | tuple | dict):
        return _cell_text(value, False)
    return _safe_text(str(value))


def write_xlsx(sheets: Iterable[Sheet], target: IO[bytes]) -> None:
    """Write the sheets to an .xlsx file with openpyxl's write-only (streaming) workbook."""
    book = Workbook(write_only=True)
    bold = Font(bold=True)
    for sheet in sheets:
        ws = book.create_sheet(sheet.name[:31])
        header_cells = []
        for header in sheet.headers:
            cell = WriteOnlyCell(ws, value=header)
            cell.font = bold
            header_cells.append(cell)
        ws.append(header_cells)
        ws.freeze_panes = "A2"
        for row in sheet.rows:
            ws.append([_xlsx_value(v) for v in row])
    book.save(target)


def xlsx_file(sheets: Iterable[Sheet]) -> IO[bytes]:
    """Return a temporary file (rewound) holding the workbook; it is deleted when closed."""
    handle = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    write_xlsx(sheets, handle)
    handle.seek(0)
    return handle


def iter_file(handle: IO[bytes], chunk: int = 64 * 1024) -> Iterator[bytes]:
    """Yield a file in chunks and close it at the end."""
    try:
        while data := handle.read(chunk):
            yield data
    finally:
        handle.close()


def export(sheets: Sequence[Sheet], fmt: str) -> Iterator[bytes]:
    """Return the document in `fmt` as a stream of bytes (CSV exports the first sheet only,
    unless there are several: then each sheet follows its name on a line of its own)."""
    if fmt not in FORMATS:
        raise ValueError(f"okänt format: {fmt}")
    if fmt == "xlsx":
        return iter_file(xlsx_file(sheets))

    def lines() -> Iterator[bytes]:
        for index, sheet in enumerate(sheets):
            for number, text in enumerate(iter_csv(sheet, fmt)):
                if len(sheets) > 1 and number == 0:
                    title = sheet.name if index == 0 else "\r\n" + sheet.name
                    text = (BOM if index == 0 else "") + title + "\r\n" + text.lstrip(BOM)
                yield text.encode("utf-8")
    return lines()
