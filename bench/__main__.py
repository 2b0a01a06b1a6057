"""Benchmark: 25,000 anonymous-style answers to 25 questions over 50 units.

Measures, in one run:
1. reports.analysis.aggregate (k = 5, with suppression) against a bare pandas groupby over the
   same wide DataFrame (value counts per unit for every option question, means of scales);
2. the .xlsx export of every aggregate table;
3. the results page (GET /resultat/<id> as HR) on a throwaway SQLite database with a round of
   50 units whose answer rows are replaced by the 25,000 prepared responses
   (webapp.results.queries.round_frame is patched to return them), cold (aggregating) and warm
   (aggregates cached by the answers' fingerprint).

Usage: python -m bench [--rows 25000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
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


def best(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Return the median seconds of `repeat` runs and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def page_benchmark(rows: int, repeat: int) -> tuple[float, float]:
    """Render the results page as HR with prepared answers; return (cold, warm) seconds."""
    import yaml

    from tests import factories
    from tests.conftest import make_config
    from webapp import create_app
    from webapp.extensions import db
    from webapp.organisation.models import Role
    from webapp.results import queries

    tmp = Path(tempfile.mkdtemp(prefix="aktiva-bench-"))
    app = create_app(make_config(tmp, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp / 'b.sqlite'}"))
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
    folder = tmp / "q"
    factories.write_followup(folder, yaml.safe_dump(definition, allow_unicode=True))
    with app.app_context():
        db.create_all()
        kom = factories.gen_unit(code="KOM", name="Kommunen", kind="kommun")
        units = [factories.gen_unit(kom, code=f"E{i:02d}", name=f"Enhet {i}")
                 for i in range(UNITS)]
        hr = factories.gen_user(Role.HR, email="hr@bench.test")
        round_ = factories.gen_round(units, folder)
        round_id, email = round_.id, hr.email
        wide = wide_frame(rows)
        answers = _answers(wide)
        frame = pd.DataFrame({
            "response": np.arange(rows), "answers": answers, "state": "submitted",
            "submitted_at": pd.Timestamp("2026-11-01", tz="UTC"), "unit": wide["unit"],
            "unit_name": "Enhet " + wide["unit"].str[1:].astype(int).astype(str),
            "parent_name": "Kommunen", "unit_id": None, "position": 0, "respondent": None})
    original = queries.round_frame
    queries.round_frame = lambda _round_id: frame  # type: ignore[assignment]
    try:
        client = app.test_client()
        client.post("/logga-in", data={"email": email, "password": factories.PASSWORD})
        client.get("/")  # warm up templates and the app
        cold, warm = [], []
        for _ in range(repeat):
            queries._CACHE.clear()
            start = time.perf_counter()
            response = client.get(f"/resultat/{round_id}")
            cold.append(time.perf_counter() - start)
            assert response.status_code == 200, response.status_code
            start = time.perf_counter()
            client.get(f"/resultat/{round_id}")
            warm.append(time.perf_counter() - start)
    finally:
        queries.round_frame = original  # type: ignore[assignment]
    return statistics.median(cold), statistics.median(warm)


def _answers(wide: pd.DataFrame) -> list[dict[str, Any]]:
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


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print a Markdown table."""
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--rows", type=int, default=25_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-page", action="store_true", help="skip the page benchmark")
    args = parser.parse_args(argv)
    wide = wide_frame(args.rows)
    question_specs = specs()
    bare, _ = best(lambda: bare_groupby(wide), args.repeat)
    agg, result = best(lambda: analysis.aggregate(wide, question_specs, "unit", k=5),
                       args.repeat)
    stored = pd.DataFrame({"unit": wide["unit"], "answers": _answers(wide)})
    expand, _ = best(lambda: analysis.expand_answers(stored, question_specs), args.repeat)

    def xlsx() -> int:
        sheets = [exports.sheet_from_frame(name, table) for name, table in
                  result.tables().items()]
        return sum(len(chunk) for chunk in exports.export(sheets, "xlsx"))

    export_s, size = best(xlsx, args.repeat)
    hidden = int(result.groups["suppressed"].sum())
    print(f"| rows | {args.rows} | questions | {len(question_specs)} | units | {UNITS} |")
    print(f"| groups hidden by k=5 | {hidden} of {UNITS} |")
    print("| step | median seconds |")
    print("|---|---|")
    print(f"| bare pandas groupby (baseline) | {bare:.3f} |")
    print(f"| analysis.aggregate (k=5, suppression, totals, texts) | {agg:.3f} "
          f"({agg / bare:.1f}x baseline) |")
    print(f"| analysis.expand_answers (stored dicts -> wide) | {expand:.3f} |")
    print(f"| .xlsx export of the aggregate tables ({size // 1024} KiB) | {export_s:.3f} |")
    if not args.no_page:
        cold, warm = page_benchmark(args.rows, max(1, args.repeat // 2))
        print(f"| results page, cold (load + aggregate + render) | {cold:.3f} |")
        print(f"| results page, warm (aggregates cached) | {warm:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
