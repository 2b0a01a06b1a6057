"""Read stored answers from SQL into pandas: the JSON as text, decoded in one go.

Both results pages (named rounds in webapp.results, anonymous surveys in webapp.anonymous) read
thousands of answer dicts per request. Loading an ORM object per row, or letting the JSON
column type decode row by row, costs several times more than selecting the JSON as text
(`answers_text`) into a DataFrame and decoding every text with one `json.loads`, with the
garbage collector held off meanwhile (`read_answers`; see reports/perf.py).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pandas as pd
from sqlalchemy import Select
from sqlalchemy import Text
from sqlalchemy import cast
from sqlalchemy.sql.elements import Label

from reports.perf import gc_paused
from webapp.extensions import db

ANSWERS = "answers"


def answers_text(column: Any) -> Label[str]:
    """Return a JSON answers column selected as its stored text, labelled `answers`."""
    return cast(column, Text).label(ANSWERS)


def decode_answers(values: Sequence[Any]) -> list[Any]:
    """Return the answer dicts of stored JSON texts (dicts pass through; NULL is {}).

    The texts are decoded with one json.loads over a JSON array rather than one call per row
    (what the JSON column type would do): for a large round that halves the decoding time.
    """
    texts = ["{}" if v is None else v for v in values]
    if not all(isinstance(t, str) for t in texts):
        return [json.loads(t) if isinstance(t, str) else t for t in texts]
    return json.loads("[" + ",".join(texts) + "]") if texts else []  # type: ignore[no-any-return]


def read_answers(stmt: Select[Any]) -> pd.DataFrame:
    """Run a select with an `answers_text` column; return its rows with the answer dicts."""
    with gc_paused():  # many small objects at once: see reports/perf.py
        frame = pd.read_sql(stmt, db.session.connection())
        return frame.assign(**{ANSWERS: decode_answers(frame[ANSWERS].tolist())})
