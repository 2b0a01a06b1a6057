"""Benchmark of issue 6: 25,000 anonymous-style answers to 25 questions over 50 units.

Measures, in one run:

1. reports.analysis.aggregate (k = 5, with suppression) against a bare pandas groupby over the
   same wide DataFrame (value counts per unit for every option question, means of scales);
2. reports.analysis.expand_answers (stored answer dicts -> the wide frame) and the decoding of
   the stored JSON texts (webapp.answer_frames.decode_answers);
3. the .xlsx export of every aggregate table, directly (reports.exports) and as the web
   download (GET /resultat/<id>/export.xlsx, read to the end);
4. the results page (GET /resultat/<id>) on a throwaway SQLite database with one round of
   50 units. A round has one assignment per unit, so the 25,000 responses are stored as JSON
   text in a scratch table of the assignment table's shape (`bench_answer`), and
   webapp.results.queries._round_select is pointed at it: every request then runs the same SQL
   join, JSON decoding, expansion, aggregation and rendering as a real round. *Cold* clears the
   aggregate cache first; *warm* is a repeated request (aggregates cached by the round's
   answer fingerprint). Chart images are separate requests and not included.

Usage: python -m bench.results [--rows 25000] [--repeat 5] [--no-page]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from reports import analysis
from reports import exports
from reports.analysis import QuestionSpec

UNITS = 50
YN = (("ja", "Ja"), ("nej", "Nej"))
YPN = (("ja", "Ja"), ("delvis", "Delvis"), ("nej", "Nej"))
SCALE = tuple((str(i), str(i)) for i in range(1, 6)) + (("vet_ej", "Vet ej"),)
CHOICE = (("a", "Alternativ A"), ("b", "Alternativ B"), ("c", "Alternativ C"),
          ("d", "Alternativ D"))
PAGE_TARGET = 1.0  # seconds, issue 6
XLSX_TARGET = 5.0
RATIO_TARGET = 3.0


def specs() -> list[QuestionSpec]:
    """25 questions: 8 ja/nej, 6 ja/delvis/nej, 6 scales, 3 single choice, 1 multi, 1 text."""
    out = [QuestionSpec(f"yn{i}", "yes_no", f"Ja/nej-fråga {i}", YN, areas=("trakasserier",))
           for i in range(8)]
    out += [QuestionSpec(f"ypn{i}", "yes_partly_no", f"Ja/delvis/nej {i}", YPN,
                         areas=("arbetsforhallanden",)) for i in range(6)]
    out += [QuestionSpec(f"sk{i}", "scale", f"Skalfråga {i}", SCALE) for i in range(6)]
    out += [QuestionSpec(f"val{i}", "single_choice", f"Val {i}", CHOICE) for i in range(3)]
    out += [QuestionSpec("flera", "multi_choice", "Flerval", CHOICE)]
    out += [QuestionSpec("fritext", "textarea", "Fritext")]
    return out


def wide_frame(rows: int, seed: int = 1) -> pd.DataFrame:
    """Return the synthetic wide frame (unit sizes vary so some groups fall below k)."""
    rng = np.random.default_rng(seed)
    weights = rng.pareto(1.2, UNITS) + 0.02
    units = rng.choice([f"E{i:02d}" for i in range(UNITS)], rows, p=weights / weights.sum())
    data: dict[str, Any] = {"unit": units}
    for spec in specs():
        values = [v for v, _ in spec.options]
        if spec.type == "yes_partly_no":
            data[f"{spec.id}.answer"] = rng.choice(values, rows)
            data[f"{spec.id}.comment"] = np.where(rng.random(rows) < 0.05, "En kommentar", None)
        elif spec.type == "multi_choice":
            picks = rng.random((rows, len(values))) < 0.4
            data[f"{spec.id}.selected"] = [[v for v, p in zip(values, row, strict=True) if p]
                                           for row in picks]
            data[f"{spec.id}.other"] = None
        elif spec.type == "textarea":
            data[spec.id] = np.where(rng.random(rows) < 0.1, "Ett fritextsvar", None)
        elif spec.type == "scale":
            data[spec.id] = pd.Series(rng.choice(values, rows), dtype=object).map(
                lambda v: v if v == "vet_ej" else int(v))
        else:
            data[spec.id] = rng.choice(values, rows)
    return pd.DataFrame(data)


def bare_groupby(wide: pd.DataFrame) -> list[Any]:
    """The baseline: plain per-unit value counts and scale means, nothing else."""
    out = []
    for spec in specs():
        if spec.type in ("yes_no", "single_choice", "scale"):
            out.append(wide.groupby("unit")[spec.id].value_counts())
        elif spec.type == "yes_partly_no":
            out.append(wide.groupby("unit")[f"{spec.id}.answer"].value_counts())
    scales = [s.id for s in specs() if s.type == "scale"]
    numeric = wide[["unit", *scales]].assign(
        **{c: pd.to_numeric(wide[c], errors="coerce") for c in scales})
    out.append(numeric.groupby("unit")[scales].mean())
    return out


def median_time(fn: Callable[[], Any], repeat: int,
                setup: Callable[[], Any] | None = None) -> tuple[float, Any]:
    """Return the median seconds of `repeat` runs and the last result; `setup` runs before
    each run, untimed (e.g. emptying a cache)."""
    times, result = [], None
    for _ in range(repeat):
        if setup is not None:
            setup()
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def stored_answers(wide: pd.DataFrame) -> list[dict[str, Any]]:
    """Turn the wide frame back into stored answer dicts (setup only, not timed)."""
    records = wide.drop(columns=["unit"]).to_dict("records")
    out = []
    for rec in records:
        answer: dict[str, Any] = {}
        for key, value in rec.items():
            if value is None or (isinstance(value, float) and np.isnan(value)):
                continue
            if "." in key:
                qid, sub = key.split(".")
                answer.setdefault(qid, {})[sub] = value
            else:
                answer[key] = value.item() if hasattr(value, "item") else value
        out.append(answer)
    return out


def questionnaire_yaml() -> str:
    """The 25 questions as an anonymous-kind questionnaire file."""
    import yaml

    questions = []
    for s in specs():
        q: dict[str, Any] = {"id": s.id, "type": s.type, "text": s.text}
        if s.type in ("single_choice", "multi_choice"):
            q["options"] = [{"value": v, "label": lab} for v, lab in s.options]
        if s.type == "scale":
            q["dont_know"] = True
        if s.areas:
            q["tags"] = {"areas": list(s.areas)}
        questions.append(q)
    definition = {"id": "testuppfoljning", "title": "Benchmark", "kind": "anonymous",
                  "version": "1", "sections": [{"id": "a", "title": "Frågor",
                                                "questions": questions}]}
    return yaml.safe_dump(definition, allow_unicode=True)


@dataclass
class PageWorld:
    """A running app with one large round: what the page benchmark and screenshots need."""

    app: Any
    round_id: int
    hr_email: str
    head_email: str
    folder: Path


@contextlib.contextmanager
def page_world(rows: int, folder: Path | None = None) -> Iterator[PageWorld]:
    """Create the throwaway database and point the results queries at the large round."""
    import sqlalchemy as sa

    from tests import factories
    from tests.conftest import make_config
    from webapp import create_app
    from webapp.answer_frames import answers_text
    from webapp.extensions import db
    from webapp.organisation.models import Role
    from webapp.organisation.models import User
    from webapp.results import queries
    from webapp.rounds.models import RoundUnit

    tmp = folder or Path(tempfile.mkdtemp(prefix="aktiva-bench-"))
    app = create_app(make_config(tmp, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp / 'b.sqlite'}"))
    factories.write_followup(tmp / "q", questionnaire_yaml())
    # The scratch table: the assignment table's columns that round_frame reads.
    scratch = sa.Table(
        "bench_answer", db.metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("round_id", sa.Integer, index=True),
        sa.Column("round_unit_id", sa.Integer),
        sa.Column("submitted_by_id", sa.Integer, nullable=True),
        sa.Column("state", sa.String(20)),
        sa.Column("submitted_at", sa.DateTime(timezone=True)),
        sa.Column("answers", sa.JSON),
        extend_existing=True)
    with app.app_context():
        db.create_all()
        kom = factories.gen_unit(code="KOM", name="Kommunen", kind="kommun")
        units = [factories.gen_unit(kom, code=f"E{i:02d}", name=f"Enhet {i}")
                 for i in range(UNITS)]
        hr = factories.gen_user(Role.HR, email="hr@bench.test")
        head = factories.gen_user(Role.HEAD, units=units[:3], email="chef@bench.test")
        round_ = factories.gen_round(units, tmp / "q")
        round_id = round_.id
        unit_ids = {code: ru_id for code, ru_id in db.session.execute(
            sa.select(RoundUnit.unit_code, RoundUnit.id).where(RoundUnit.round_id == round_id))}
        wide = wide_frame(rows)
        submitted = pd.Timestamp("2026-11-01", tz="UTC").to_pydatetime()
        db.session.execute(sa.insert(scratch), [
            {"id": i + 1, "round_id": round_id, "round_unit_id": unit_ids[code],
             "state": "submitted", "submitted_at": submitted, "answers": answers}
            for i, (code, answers) in enumerate(zip(wide["unit"], stored_answers(wide),
                                                    strict=True))])
        db.session.commit()
        emails = (hr.email, head.email)

    def round_select(round_id: int) -> sa.Select[Any]:
        """queries._round_select over the scratch table (the same join and columns)."""
        a = scratch.c
        return (
            sa.select(a.id.label("response"), answers_text(a.answers), a.state, a.submitted_at,
                      RoundUnit.unit_code.label("unit"), RoundUnit.name.label("unit_name"),
                      RoundUnit.parent_name, RoundUnit.unit_id, RoundUnit.position,
                      User.name.label("respondent"))
            .join(RoundUnit, a.round_unit_id == RoundUnit.id)
            .outerjoin(User, User.id == a.submitted_by_id)
            .where(a.round_id == round_id)
            .order_by(RoundUnit.position, RoundUnit.id))

    original = queries._round_select
    queries._round_select = round_select  # type: ignore[assignment]
    try:
        yield PageWorld(app, round_id, *emails, tmp)
    finally:
        queries._round_select = original  # type: ignore[assignment]
        db.metadata.remove(scratch)
        with app.app_context():
            db.engine.dispose()
        if folder is None:
            shutil.rmtree(tmp, ignore_errors=True)


@dataclass
class PageFigures:
    """Median seconds (and sizes) of the web requests."""

    cold: float
    warm: float
    all_cold: float
    all_warm: float
    question_warm: float
    unit_warm: float
    head_warm: float
    xlsx_cold: float
    xlsx_warm: float
    sizes: dict[str, int]


def page_benchmark(rows: int, repeat: int) -> PageFigures:
    """Request the results page and the .xlsx export as HR and as a head of three units."""
    from tests import factories
    from webapp.results import queries

    with page_world(rows) as world:
        hr = world.app.test_client()
        hr.post("/logga-in", data={"email": world.hr_email, "password": factories.PASSWORD})
        head = world.app.test_client()
        head.post("/logga-in", data={"email": world.head_email, "password": factories.PASSWORD})
        base = f"/resultat/{world.round_id}"
        hr.get("/")  # load templates and the app once
        sizes: dict[str, int] = {}

        def get(client: Any, url: str, label: str, cold: bool = False) -> Callable[[], None]:
            def run() -> None:
                if cold:
                    queries._CACHE.clear()
                response = client.get(url)
                body = response.get_data()
                assert response.status_code == 200, (url, response.status_code)
                sizes[label] = len(body)
            return run

        get(hr, base, "HR")()  # load templates and translations once
        cold, _ = median_time(get(hr, base, "HR", cold=True), repeat)
        warm, _ = median_time(get(hr, base, "HR"), repeat)
        all_cold, _ = median_time(get(hr, f"{base}?unit=*", "?unit=*", cold=True), repeat)
        all_warm, _ = median_time(get(hr, f"{base}?unit=*", "?unit=*"), repeat)
        question_warm, _ = median_time(
            get(hr, f"{base}?unit=*&question=ypn0", "?unit=*&question=ypn0"), repeat)
        unit_warm, _ = median_time(get(hr, f"{base}?unit=E00", "?unit=E00"), repeat)
        head_warm, _ = median_time(get(head, base, "head"), repeat)
        xlsx_cold, _ = median_time(get(hr, f"{base}/export.xlsx", "export.xlsx", cold=True),
                                   repeat)
        xlsx_warm, _ = median_time(get(hr, f"{base}/export.xlsx", "export.xlsx"), repeat)
    return PageFigures(cold, warm, all_cold, all_warm, question_warm, unit_warm, head_warm,
                       xlsx_cold, xlsx_warm, sizes)


def _status(ok: bool) -> str:
    return "met" if ok else "**not met**"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print a Markdown table."""
    from reports.perf import gc_paused
    from webapp.answer_frames import decode_answers

    parser = argparse.ArgumentParser(prog="python -m bench.results")
    parser.add_argument("--rows", type=int, default=25_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-page", action="store_true", help="skip the web requests")
    args = parser.parse_args(argv)
    wide = wide_frame(args.rows)
    question_specs = specs()
    bare, _ = median_time(lambda: bare_groupby(wide), args.repeat)
    agg, result = median_time(lambda: analysis.aggregate(wide, question_specs, "unit", k=5),
                              args.repeat)
    answers = stored_answers(wide)
    texts = [json.dumps(a) for a in answers]

    def decode() -> list[Any]:
        with gc_paused():  # as round_frame reads them
            return decode_answers(texts)

    decode_s, _ = median_time(decode, args.repeat)
    stored = pd.DataFrame({"unit": wide["unit"], "answers": answers})
    expand, _ = median_time(lambda: analysis.expand_answers(stored, question_specs), args.repeat)

    def xlsx() -> int:
        sheets = [exports.sheet_from_frame(name, table) for name, table in
                  result.tables().items()]
        return sum(len(chunk) for chunk in exports.export(sheets, "xlsx"))

    export_s, size = median_time(xlsx, args.repeat)
    hidden = int(result.groups["suppressed"].sum())
    ratio = agg / bare
    from bench.board_report import machine

    print(machine() + f" pandas {pd.__version__}, numpy {np.__version__}.")
    print(f"Results and analysis: {args.rows} responses, {len(question_specs)} questions, "
          f"{UNITS} units ({hidden} hidden by k=5); median of {args.repeat} runs.")
    print()
    print("| step | median seconds | target |")
    print("|---|---|---|")
    print(f"| bare pandas groupby (baseline) | {bare:.3f} | |")
    print(f"| analysis.aggregate (k=5, suppression, totals, texts) | {agg:.3f} "
          f"({ratio:.1f}x baseline) | ≤ {RATIO_TARGET:.0f}x: {_status(ratio <= RATIO_TARGET)} |")
    print(f"| decode the stored JSON texts ({sum(map(len, texts)) // 1024} KiB), as round_frame "
          f"does | {decode_s:.3f} | |")
    print(f"| analysis.expand_answers (answer dicts -> wide) | {expand:.3f} | |")
    print(f"| .xlsx of the aggregate tables, reports.exports ({size // 1024} KiB) | "
          f"{export_s:.3f} | < {XLSX_TARGET:.0f} s: {_status(export_s < XLSX_TARGET)} |")
    if not args.no_page:
        page = page_benchmark(args.rows, max(1, args.repeat))

        def row(label: str, seconds: float, target: float | None = None) -> None:
            status = (f"< {target:.0f} s: {_status(seconds < target)}" if target else "")
            print(f"| {label} | {seconds:.3f} | {status} |")

        row("results page as HR, cold: SQL + decode + expand + aggregate + render",
            page.cold, PAGE_TARGET)
        row("results page as HR, warm (aggregates cached)", page.warm, PAGE_TARGET)
        row("all 50 units under every question (`?unit=*`), cold", page.all_cold)
        row("all 50 units under every question (`?unit=*`), warm", page.all_warm)
        row("one question, all 50 units (`?unit=*&question=ypn0`), warm", page.question_warm,
            PAGE_TARGET)
        row("one unit beside the totals (`?unit=E00`), warm", page.unit_warm, PAGE_TARGET)
        row("results page as a head of 3 units, warm", page.head_warm, PAGE_TARGET)
        row("GET export.xlsx (aggregates), cold", page.xlsx_cold, XLSX_TARGET)
        row("GET export.xlsx (aggregates), warm", page.xlsx_warm, XLSX_TARGET)
        print()
        print("Response sizes: " + ", ".join(
            f"{label} {n // 1024} KiB" for label, n in page.sizes.items()) + ".")
    return 0


if __name__ == "__main__":
    sys.exit(main())
