"""Benchmark of issue 7: the board report PDF of a city-sized municipality.

The data (generated into a throwaway SQLite database, never the instance database):

- 50 förvaltningar, each with a head;
- the yearly follow-up questionnaire with 80 questions: questionnaires/arlig-uppfoljning.yaml
  (51 questions of every type) plus a generated section of 29 more (ja/nej, ja/delvis/nej with
  comments, integers, integer groups, percentages, single and multiple choice, free text),
  tagged with the five areas and the special duties;
- four rounds of it, YEAR - 3 .. YEAR (three years of history), each answered and submitted by
  all 50 units with the demo's answer generator (webapp.rounds.demo.generate_answers, validated
  by the form engine), and closed;
- the anonymous attitude survey of YEAR (questionnaires/medarbetarenkat.yaml) with 25,000
  responses over the 50 units (Pareto-distributed sizes, so some units fall below k), closed;
- 100 measures for YEAR - 1 (two thirds evaluated) and 100 proposed for YEAR + 1.

What is measured: the command a municipality runs, `aktiva report build --round ID --format pdf
--output FILE`, as a child process: wall time from start to exit and its peak resident memory
(ru_maxrss from os.wait4, i.e. the whole process: interpreter, imports, data, charts and
WeasyPrint; started from a small wrapper process, see `_MEASURE`). A second child builds the
same report in-process and times the steps (gather: SQL + analysis of the round, the history
and the survey; build: the document model with its charts; pdf: WeasyPrint); `--profile FILE`
writes its cProfile statistics.

Usage: python -m bench.board_report [--repeat 3] [--keep] [--profile FILE]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
UNITS = 50
SURVEY_RESPONSES = 25_000
YEAR = 2026
QUESTIONS = 80  # arlig-uppfoljning.yaml (51 questions) plus generated ones
MEASURES = 100
TIME_TARGET = 15.0  # seconds, issue 7
MEMORY_TARGET = 1.5 * 1024  # MiB

AREA_CYCLE = ["arbetsforhallanden", "loner", "rekrytering", "kompetensutveckling",
              "foraldraskap", "trakasserier", "jamn_konsfordelning", "samverkan"]
TYPE_CYCLE = ["yes_partly_no", "yes_no", "integer", "textarea", "multi_choice",
              "yes_partly_no", "integer_group", "percentage", "single_choice", "yes_no"]


def questionnaire(total: int = QUESTIONS) -> dict[str, Any]:
    """Return the follow-up questionnaire: the real one plus generated questions up to `total`."""
    import yaml

    definition = yaml.safe_load((ROOT / "questionnaires" / "arlig-uppfoljning.yaml")
                                .read_text(encoding="utf-8"))
    questions = []
    present = sum(len(section["questions"]) for section in definition["sections"])
    for i in range(max(0, total - present)):
        kind = TYPE_CYCLE[i % len(TYPE_CYCLE)]
        area = AREA_CYCLE[i % len(AREA_CYCLE)]
        q: dict[str, Any] = {"id": f"fordjupning_{i + 1:02d}", "type": kind,
                             "text": f"Fördjupningsfråga {i + 1} om {area.replace('_', ' ')}",
                             "tags": {"areas": [area]}}
        if kind in ("multi_choice", "single_choice"):
            q["options"] = ["Ledningsgrupp", "Arbetsplatsträff", "Samverkansgrupp",
                            "Medarbetarsamtal", "Annat forum"]
        if kind == "integer_group":
            q["items"] = [{"id": "kvinnor", "label": "Kvinnor"}, {"id": "man", "label": "Män"}]
        if kind == "textarea":
            q["max_length"] = 2000
        questions.append(q)
    definition["sections"].append({"id": "fordjupning", "title": "Fördjupning",
                                   "questions": questions})
    return definition


def _survey_answer(definition: Any, rng: random.Random) -> dict[str, Any]:
    """A plausible anonymous answer to every question of the survey (by type)."""
    out: dict[str, Any] = {}
    for _section, q in definition.iter_questions():
        if rng.random() < 0.03:
            continue  # not every respondent answers every question
        if q.type == "yes_no":
            out[q.id] = rng.choices(["ja", "nej"], [70, 30])[0]
        elif q.type == "yes_partly_no":
            out[q.id] = {"answer": rng.choices(["ja", "delvis", "nej"], [55, 30, 15])[0]}
        elif q.type == "single_choice":
            out[q.id] = rng.choice(q.options).value
        elif q.type == "multi_choice":
            picked = {o.value for o in rng.sample(q.options, rng.randint(1, 2))}
            out[q.id] = {"selected": [o.value for o in q.options if o.value in picked]}
        elif q.type == "scale":
            steps: list[Any] = list(range(1, q.points + 1))
            out[q.id] = rng.choice(steps + (["vet_ej"] if q.dont_know else []))
        elif q.type in ("text", "textarea") and rng.random() < 0.1:
            out[q.id] = "Mer tid för samtal om bemötande på arbetsplatsträffarna."
    return out


def generate(folder: Path, seed: int = 2026) -> dict[str, Any]:
    """Create the municipality in folder/board.sqlite; return what the children need."""
    import yaml
    from sqlalchemy import insert

    from tests import factories
    from tests.conftest import make_config
    from webapp import create_app
    from webapp.anonymous import services as anonymous_services
    from webapp.anonymous.models import AnonymousResponse
    from webapp.extensions import db
    from webapp.measures import services as measure_services
    from webapp.measures.models import Status
    from webapp.organisation.models import Role
    from webapp.questionnaires import services as questionnaire_services
    from webapp.questionnaires.schema import load_definition
    from webapp.rounds import services as round_services
    from webapp.rounds.answering import context_for
    from webapp.rounds.demo import generate_answers

    rng = random.Random(seed)  # noqa: S311 (benchmark data)
    qfolder = folder / "q"
    qfolder.mkdir(parents=True, exist_ok=True)
    (qfolder / "arlig-uppfoljning.yaml").write_text(
        yaml.safe_dump(questionnaire(), allow_unicode=True, sort_keys=False), encoding="utf-8")
    shutil.copy(ROOT / "questionnaires" / "medarbetarenkat.yaml", qfolder)
    database = folder / "board.sqlite"
    app = create_app(make_config(folder, SQLALCHEMY_DATABASE_URI=f"sqlite:///{database}",
                                 QUESTIONNAIRE_FOLDER=str(qfolder)))
    with app.app_context():
        db.create_all()
        kom = factories.gen_unit(code="KOM", name="Storstads kommun", kind="kommun",
                                 employees=0)
        units = [factories.gen_unit(kom, code=f"F{i:02d}", name=f"Förvaltning {i + 1}",
                                    employees=rng.randint(40, 2500)) for i in range(UNITS)]
        hr = factories.gen_user(Role.HR, email="hr@bench.test", password=None)
        for unit in units:  # invited heads (no password: hashing 50 passwords is slow)
            factories.gen_user(Role.HEAD, units=[unit], password=None,
                               email=f"chef.{unit.code.lower()}@bench.test")
        # Measures: last period (two thirds evaluated) and the proposals for the next one.
        areas = ["arbetsforhallanden", "loner", "rekrytering", "kompetensutveckling",
                 "foraldraskap", "trakasserier"]
        for i in range(MEASURES):
            unit = units[i % UNITS]
            last = factories.gen_measure(unit, period=YEAR - 1, area=areas[i % len(areas)],
                                         title=f"Åtgärd {i + 1} för {unit.name}")
            if i % 3:
                measure_services.evaluate(last, rng.choice([Status.GENOMFORD, Status.PAGAR]),
                                          rng.choice(["ja", "delvis", "nej"]),
                                          "Åtgärden har följts upp på arbetsplatsträff.")
            factories.gen_measure(unit, period=YEAR + 1, area=areas[(i + 1) % len(areas)],
                                  title=f"Föreslagen åtgärd {i + 1} för {unit.name}")
        db.session.commit()
        # Four closed rounds of the 80-question follow-up, answered by every unit.
        path = qfolder / "arlig-uppfoljning.yaml"
        version = questionnaire_services.freeze(load_definition(path), path.name)
        definition = version.definition
        quality = {u.id: rng.uniform(0.45, 0.8) for u in units}
        round_ids = []
        for year in range(YEAR - 3, YEAR + 1):
            round_ = round_services.create_round(
                title=f"Årlig uppföljning {year}", year=year,
                questionnaire_version_id=version.id, opens_on=dt.date(year, 10, 15),
                due_on=dt.date(year, 11, 30), target_unit_ids=[u.id for u in units],
                created_by=hr)
            round_services.open_round(round_, notify=False)
            for assignment in round_.assignments:
                unit_id = assignment.round_unit.unit_id
                quality[unit_id] = min(0.95, quality[unit_id] + rng.uniform(0.0, 0.08))
                answers = generate_answers(definition, rng, quality[unit_id], year,
                                           context_for(assignment),
                                           assignment.round_unit.employees)
                assignment.submit(answers, assignment.respondent or hr)
                assignment.submitted_at = assignment.updated_at = dt.datetime(
                    year, 11, rng.randint(2, 28), 9, tzinfo=dt.UTC)
            round_services.close_round(round_)
            db.session.commit()
            round_ids.append(round_.id)
        # The anonymous attitude survey of the year: 25,000 responses, closed.
        survey_version = anonymous_services.freeze_file("medarbetarenkat.yaml")
        survey = anonymous_services.create_round(
            title=f"Medarbetarenkät om likabehandling {YEAR}", year=YEAR,
            questionnaire_version_id=survey_version.id, opens_on=dt.date(YEAR, 3, 2),
            closes_on=dt.date(YEAR, 3, 27), target_unit_ids=[u.id for u in units],
            created_by=None)
        anonymous_services.open_round(survey)
        weights = [rng.paretovariate(1.2) for _ in survey.units]
        snapshots = rng.choices(list(survey.units), weights, k=SURVEY_RESPONSES)
        survey_definition = survey_version.definition
        rows = [{"id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                 "round_id": survey.id, "round_unit_id": snapshot.id,
                 "answered_week": f"{YEAR}-W{rng.randint(10, 13)}",
                 "answers": _survey_answer(survey_definition, rng)} for snapshot in snapshots]
        db.session.execute(insert(AnonymousResponse), rows)
        anonymous_services.close_round(survey, dt.date(YEAR, 3, 27))
        db.session.commit()
        questions = sum(1 for _ in definition.iter_questions())
    return {"database": str(database), "questionnaires": str(qfolder),
            "archive": str(folder / "archive"), "round_id": round_ids[-1],
            "questions": questions, "survey_responses": len(rows)}


def _environment(world: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"AKTIVA_SQLALCHEMY_DATABASE_URI": f"sqlite:///{world['database']}",
                "AKTIVA_QUESTIONNAIRE_FOLDER": world["questionnaires"],
                "AKTIVA_ARCHIVE_FOLDER": world["archive"],
                "AKTIVA_SECRET_KEY": "benchmark-only-secret-key",
                "AKTIVA_MUNICIPALITY_NAME": "Storstads kommun",
                "PYTHONPATH": str(ROOT)})
    return env


# Runs the measured command from a small process and reports its wall time and peak RSS. The
# command is not started straight from the benchmark process: a child forked from a large
# parent (the results benchmark, the generated data) starts out sharing the parent's pages,
# and Linux counts those in the child's ru_maxrss.
_MEASURE = """
import json, os, subprocess, sys, time
start = time.perf_counter()
child = subprocess.Popen(sys.argv[2:])
_pid, status, usage = os.wait4(child.pid, 0)
wall = time.perf_counter() - start
with open(sys.argv[1], "w") as fh:
    json.dump({"wall": wall, "maxrss_kib": usage.ru_maxrss,
               "code": os.waitstatus_to_exitcode(status)}, fh)
"""


def measure_child(args: list[str], env: dict[str, str]) -> tuple[float, float, str, str]:
    """Run a command; return (wall seconds, its own peak RSS in MiB, stdout, stderr)."""
    with tempfile.TemporaryDirectory(prefix="aktiva-bench-") as tmp:
        report = Path(tmp) / "usage.json"
        done = subprocess.run([sys.executable, "-c", _MEASURE, str(report), *args],  # noqa: S603
                              env=env, cwd=ROOT, capture_output=True, text=True, check=False)
        usage = json.loads(report.read_text()) if report.exists() else {"code": -1}
    if done.returncode != 0 or usage["code"] != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return usage["wall"], usage["maxrss_kib"] / 1024, done.stdout, done.stderr


def steps(world: dict[str, Any], output: str, profile: str = "") -> dict[str, float]:
    """In a child: build the report in-process and time gather, build and pdf."""
    import cProfile

    from reports import board_report
    from reports import render
    from webapp import create_app
    from webapp.boardreports import services
    from webapp.extensions import db
    from webapp.rounds.models import Round

    times: dict[str, float] = {}
    start = time.perf_counter()
    app = create_app()
    profiler = cProfile.Profile() if profile else None
    with app.app_context():
        round_ = db.session.get(Round, world["round_id"])
        report = services.report_for(round_) or services.new_report(round_)
        times["app"] = time.perf_counter() - start
        if profiler:
            profiler.enable()
        mark = time.perf_counter()
        data = services.gather(report, round_)
        times["gather"] = time.perf_counter() - mark
        mark = time.perf_counter()
        doc = board_report.build(data)
        times["build"] = time.perf_counter() - mark
        mark = time.perf_counter()
        pdf = render.board_pdf(doc)
        times["pdf"] = time.perf_counter() - mark
        mark = time.perf_counter()
        render.board_pdf(doc, archival=True)
        times["pdfa"] = time.perf_counter() - mark
        if profiler:
            profiler.disable()
            profiler.dump_stats(profile)
    Path(output).write_bytes(pdf)
    times["figures"] = len(doc.figures())
    times["tables"] = len(doc.tables())
    return times


def machine() -> str:
    """One line about the machine and its load, for the figures' context."""
    import platform

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (f"Machine: {os.cpu_count()} CPUs, load average {load}; Python "
            f"{platform.python_version()}.")


def _pages(pdf: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(str(pdf)).pages)


def _status(ok: bool) -> str:
    return "met" if ok else "**not met**"


def main(argv: list[str] | None = None) -> int:
    """Generate the municipality, build the report as the CLI does and print the figures."""
    parser = argparse.ArgumentParser(prog="python -m bench.board_report")
    parser.add_argument("--repeat", type=int, default=3, help="CLI runs (median, max memory)")
    parser.add_argument("--keep", action="store_true", help="keep the generated folder")
    parser.add_argument("--folder", help="use (or reuse) this folder for the data")
    parser.add_argument("--profile", help="write cProfile stats of the in-process build here")
    parser.add_argument("--child-steps", help=argparse.SUPPRESS)  # internal: world JSON
    parser.add_argument("--output", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child_steps:
        print(json.dumps(steps(json.loads(args.child_steps), args.output, args.profile or "")))
        return 0
    folder = Path(args.folder) if args.folder else Path(tempfile.mkdtemp(prefix="aktiva-board-"))
    world_file = folder / "world.json"
    try:
        start = time.perf_counter()
        if world_file.exists():
            world = json.loads(world_file.read_text())
        else:
            folder.mkdir(parents=True, exist_ok=True)
            world = generate(folder)
            world_file.write_text(json.dumps(world))
        setup = time.perf_counter() - start
        env = _environment(world)
        aktiva = str(Path(sys.executable).with_name("aktiva"))
        pdf = folder / "rapport.pdf"
        walls, peaks = [], []
        for _ in range(max(1, args.repeat)):
            wall, peak, _out, _err = measure_child(
                [aktiva, "report", "build", "--round", str(world["round_id"]), "--format", "pdf",
                 "--output", str(pdf)], env)
            walls.append(wall)
            peaks.append(peak)
        pages, size = _pages(pdf), pdf.stat().st_size
        step_pdf = folder / "steg.pdf"
        child = [sys.executable, "-m", "bench.board_report", "--child-steps", json.dumps(world),
                 "--output", str(step_pdf)] + (["--profile", args.profile] if args.profile
                                                else [])
        _wall, step_peak, out, _err = measure_child(child, env)
        times = json.loads(out.strip().splitlines()[-1])
        wall, peak = statistics.median(walls), max(peaks)
        print(machine())
        print(f"Board report: {UNITS} units, {world['questions']} questions in 4 rounds "
              f"({YEAR - 3}–{YEAR}), {world['survey_responses']} survey responses, "
              f"{2 * MEASURES} measures; data generated in {setup:.0f} s "
              f"(not timed). PDF: {pages} pages, {size // 1024} KiB, "
              f"{int(times['figures'])} charts, {int(times['tables'])} tables.")
        print()
        print("| step | figure | target |")
        print("|---|---|---|")
        print(f"| `aktiva report build --format pdf`, wall time (median of {len(walls)}: "
              f"{', '.join(f'{w:.1f}' for w in walls)}) | {wall:.1f} s | "
              f"< {TIME_TARGET:.0f} s: {_status(wall < TIME_TARGET)} |")
        print(f"| `aktiva report build --format pdf`, peak RSS of the process | {peak:.0f} MiB | "
              f"< {MEMORY_TARGET:.0f} MiB: {_status(peak < MEMORY_TARGET)} |")
        print(f"| in-process: app and database start | {times['app']:.2f} s | |")
        print(f"| in-process: gather (round, history, survey, measures) | {times['gather']:.2f} s"
              " | |")
        print(f"| in-process: build (document model and {int(times['figures'])} charts) | "
              f"{times['build']:.2f} s | |")
        print(f"| in-process: pdf (WeasyPrint) | {times['pdf']:.2f} s | |")
        print(f"| in-process: the same as PDF/A-2b (what approving archives) | "
              f"{times['pdfa']:.2f} s | |")
        print(f"| in-process: peak RSS | {step_peak:.0f} MiB | |")
        ok = wall < TIME_TARGET and peak < MEMORY_TARGET
    finally:
        if not args.keep and not args.folder:
            shutil.rmtree(folder, ignore_errors=True)
    if args.keep:
        print(f"\nData kept in {folder}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
