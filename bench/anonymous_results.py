"""Benchmark of issue 6 on the anonymous survey's own results page (webapp/anonymous).

The data, in a throwaway SQLite database (never the instance database): a closed anonymous
survey of questionnaires/medarbetarenkat.yaml (21 questions) plus a generated section of 4
more (25 questions), sent to 50 units, with 25,000 responses stored for real in
AnonymousResponse (Pareto-distributed unit sizes, so some units fall below k; answers from the
board report benchmark's generator, 3 % of questions skipped, 10 % with a free text).

What is measured, through the Flask test client logged in as HR, each response read to the
end (median of --repeat runs):

1. the results page, `GET /medarbetarenkat/<id>/resultat` (grouped by unit): *cold* empties
   the caches first (SQL + JSON decoding + expansion + aggregation + page), *warm* repeats it
   (aggregates cached by the survey's state); the same cold, and after another grouping
   (expanded answers still in memory), by kön and by unit x kön;
2. one of the page's chart images, `GET .../resultat/diagram.svg?by=enhet&fraga=...`: cold
   (both caches empty), first drawing (aggregates cached by the page, chart not drawn yet)
   and warm (the drawn chart cached by its content);
3. the .xlsx export of the aggregates, `GET .../resultat.xlsx`, cold and warm.

Usage: python -m bench.anonymous_results [--rows 25000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gc
import random
import re
import shutil
import sys
import tempfile
import uuid
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

from bench.board_report import ROOT
from bench.board_report import _survey_answer
from bench.board_report import machine
from bench.results import PAGE_TARGET
from bench.results import UNITS
from bench.results import XLSX_TARGET
from bench.results import _status
from bench.results import median_time

QUESTIONS = 25  # medarbetarenkat.yaml's 21 and generated ones
SCALE_LABELS = ["Stämmer inte alls", "Stämmer till viss del", "Stämmer till stor del",
                "Stämmer helt"]


def questionnaire(total: int = QUESTIONS) -> dict[str, Any]:
    """Return medarbetarenkat.yaml with a section of generated questions up to `total`."""
    import yaml

    definition = yaml.safe_load((ROOT / "questionnaires" / "medarbetarenkat.yaml")
                                .read_text(encoding="utf-8"))
    present = sum(len(section["questions"]) for section in definition["sections"])
    kinds = ["scale", "yes_no", "yes_partly_no", "scale"]
    questions = []
    for i in range(max(0, total - present)):
        q: dict[str, Any] = {"id": f"extra_{i + 1}", "type": kinds[i % len(kinds)],
                             "text": f"Extra påstående {i + 1} om arbetsplatsen.",
                             "tags": {"areas": ["arbetsforhallanden"]}}
        if q["type"] == "scale":
            q.update(points=4, labels=list(SCALE_LABELS), dont_know=True)  # no YAML alias
        questions.append(q)
    definition["sections"].insert(-1, {"id": "extra", "title": "Fler frågor",
                                       "questions": questions})
    return definition


@dataclass
class SurveyWorld:
    """A running app with one large closed survey and an HR user."""

    app: Any
    survey_id: int
    hr_email: str
    questions: int


def _fill(survey: Any, definition: Any, rows: int, rng: random.Random) -> None:
    """Store `rows` responses over the survey's units (not timed)."""
    from sqlalchemy import insert

    from webapp.anonymous.models import AnonymousResponse
    from webapp.extensions import db

    weights = [rng.paretovariate(1.2) for _ in survey.units]
    db.session.execute(insert(AnonymousResponse), [
        {"id": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "round_id": survey.id,
         "round_unit_id": unit.id, "answered_week": "2026-W11",
         "answers": _survey_answer(definition, rng)}
        for unit in rng.choices(list(survey.units), weights, k=rows)])


@contextlib.contextmanager
def survey_world(rows: int) -> Iterator[SurveyWorld]:
    """Create the throwaway database with the closed survey; remove it afterwards."""
    import yaml

    from tests import factories
    from tests.conftest import make_config
    from webapp import create_app
    from webapp.anonymous import services
    from webapp.extensions import db
    from webapp.organisation.models import Role

    tmp = Path(tempfile.mkdtemp(prefix="aktiva-bench-anon-"))
    (tmp / "q").mkdir()
    (tmp / "q" / "medarbetarenkat.yaml").write_text(
        yaml.safe_dump(questionnaire(), allow_unicode=True, sort_keys=False), encoding="utf-8")
    app = create_app(make_config(tmp, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp / 'a.sqlite'}",
                                 QUESTIONNAIRE_FOLDER=str(tmp / "q")))
    rng = random.Random(6)  # noqa: S311 (benchmark data)
    try:
        with app.app_context():
            db.create_all()
            kom = factories.gen_unit(code="KOM", name="Kommunen", kind="kommun")
            units = [factories.gen_unit(kom, code=f"E{i:02d}", name=f"Enhet {i}",
                                        employees=500) for i in range(UNITS)]
            email = factories.gen_user(Role.HR, email="hr@bench.test").email
            version = services.freeze_file("medarbetarenkat.yaml")
            survey = services.create_round(
                title="Medarbetarenkät 2026", year=2026, questionnaire_version_id=version.id,
                opens_on=dt.date(2026, 3, 2), closes_on=dt.date(2026, 3, 27),
                target_unit_ids=[u.id for u in units], created_by=None)
            services.open_round(survey)
            _fill(survey, version.definition, rows, rng)
            services.close_round(survey, dt.date(2026, 3, 27))
            db.session.commit()
            questions = sum(1 for _ in version.definition.iter_questions())
            world = SurveyWorld(app, survey.id, email, questions)
        yield world
    finally:
        with app.app_context():
            db.engine.dispose()
        shutil.rmtree(tmp, ignore_errors=True)


@dataclass
class Figures:
    """Median seconds of the requests, the page's chart count and the response sizes."""

    page_cold: float
    page_warm: float
    chart_cold: float
    chart_draw: float
    chart_warm: float
    xlsx_cold: float
    xlsx_warm: float
    page_cold_kon: float
    page_next_kon: float
    page_cold_crossing: float
    page_next_crossing: float
    charts: int
    questions: int
    sizes: dict[str, int] = field(default_factory=dict)


def measure(rows: int, repeat: int) -> Figures:
    """Request the page, one chart image and the .xlsx export as HR, cold and warm."""
    from reports import charts
    from tests import factories
    from webapp.anonymous import results

    with survey_world(rows) as world:
        client = world.app.test_client()
        client.post("/logga-in", data={"email": world.hr_email, "password": factories.PASSWORD})
        url = f"/medarbetarenkat/{world.survey_id}/resultat"
        html = client.get(url).get_data(as_text=True)  # templates and translations, once
        images = re.findall(r'<img src="([^"]*/resultat/diagram\.svg[^"]*)"', html)
        sizes: dict[str, int] = {}

        def get(path: str, label: str) -> Callable[[], None]:
            def run() -> None:
                response = client.get(path)
                assert response.status_code == 200, (path, response.status_code)
                sizes[label] = len(response.get_data())
            return run

        def emptied(*caches: Any) -> Callable[[], None]:
            """Empty the caches before a run, untimed: what is measured is the request."""
            def setup() -> None:
                for cache in caches:
                    cache.clear()
                gc.collect()
            return setup

        chart = images[0].replace("&amp;", "&")
        cold = (results._CACHE, results._ANSWERS)  # nothing read, expanded or aggregated yet
        page_cold, _ = median_time(get(url, "page"), repeat, emptied(*cold))
        page_warm, _ = median_time(get(url, "page"), repeat)
        chart_cold, _ = median_time(get(chart, "chart"), repeat,
                                   emptied(*cold, charts._CACHE))
        chart_draw, _ = median_time(get(chart, "chart"), repeat, emptied(charts._CACHE))
        chart_warm, _ = median_time(get(chart, "chart"), repeat)
        xlsx_cold, _ = median_time(get(f"{url}.xlsx", "xlsx"), repeat, emptied(*cold))
        xlsx_warm, _ = median_time(get(f"{url}.xlsx", "xlsx"), repeat)
        # By kön alone the k rule also works out the unit x kön crossing (`finer`).
        # Another grouping after the first: the expanded answers are in memory already.
        kon, crossing = f"{url}?by=kon", f"{url}?by=enhet%2Bkon"
        kon_cold, _ = median_time(get(kon, "page by kön"), repeat, emptied(*cold))
        kon_next, _ = median_time(get(kon, "page by kön"), repeat, emptied(results._CACHE))
        crossing_cold, _ = median_time(get(crossing, "page by unit x kön"), repeat,
                                       emptied(*cold))
        crossing_next, _ = median_time(get(crossing, "page by unit x kön"), repeat,
                                       emptied(results._CACHE))
    return Figures(page_cold, page_warm, chart_cold, chart_draw, chart_warm, xlsx_cold,
                   xlsx_warm, kon_cold, kon_next, crossing_cold, crossing_next, len(images),
                   world.questions, sizes)


def report(figures: Figures, rows: int, repeat: int) -> None:
    """Print the figures as a Markdown table."""

    def row(label: str, seconds: float, target: float | None = None) -> None:
        status = f"< {target:.0f} s: {_status(seconds < target)}" if target else ""
        print(f"| {label} | {seconds:.3f} | {status} |")

    print("Before: " + machine())
    print(f"Anonymous survey results: {rows} responses, {figures.questions} questions, "
          f"{UNITS} units, {figures.charts} charts on the page; median of {repeat} runs.")
    print()
    print("| request (as HR) | median seconds | target |")
    print("|---|---|---|")
    row("results page, cold: SQL + decode + expand + aggregate + page", figures.page_cold,
        PAGE_TARGET)
    row("results page, warm (aggregates cached)", figures.page_warm, PAGE_TARGET)
    row("results page by kön, cold (checked against the unit x kön crossing)",
        figures.page_cold_kon, PAGE_TARGET)
    row("results page by kön, after another grouping (answers in memory)",
        figures.page_next_kon, PAGE_TARGET)
    row("results page by unit x kön, cold", figures.page_cold_crossing, PAGE_TARGET)
    row("results page by unit x kön, after another grouping", figures.page_next_crossing,
        PAGE_TARGET)
    row("one chart image, cold (no aggregates, not drawn)", figures.chart_cold)
    row("one chart image, first drawing (aggregates cached)", figures.chart_draw)
    row("one chart image, warm (drawn chart cached)", figures.chart_warm)
    row("GET resultat.xlsx (aggregates), cold", figures.xlsx_cold, XLSX_TARGET)
    row("GET resultat.xlsx (aggregates), warm", figures.xlsx_warm, XLSX_TARGET)
    print()
    print("Response sizes: " + ", ".join(
        f"{label} {n // 1024} KiB" for label, n in figures.sizes.items()) + ".")
    print("After: " + machine())


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print a Markdown table."""
    parser = argparse.ArgumentParser(prog="python -m bench.anonymous_results")
    parser.add_argument("--rows", type=int, default=25_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    report(measure(args.rows, max(1, args.repeat)), args.rows, max(1, args.repeat))
    return 0


if __name__ == "__main__":
    sys.exit(main())
