"""Demo rounds for Exempelkommun: three closed years and an open one with mixed progress.

Answers are generated per question type from the real questionnaire file, so the demo follows
the questionnaire when a municipality edits it. Every generated answer goes through the form
engine's validation, exactly like an answer typed in the browser.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import select

from webapp.extensions import db
from webapp.organisation.models import User
from webapp.questionnaires import services as questionnaire_services
from webapp.questionnaires.engine import QuestionnaireForm
from webapp.questionnaires.engine import RenderContext
from webapp.questionnaires.schema import Definition
from webapp.questionnaires.schema import load_definition
from webapp.rounds import services
from webapp.rounds.models import Assignment
from webapp.rounds.models import Round

QUESTIONNAIRE_FILE = "arlig-uppfoljning.yaml"
TITLE = "Årlig uppföljning av aktiva åtgärder inom likabehandling {year}"

PHRASES = {
    "arbetsforhallanden": [
        "Skyddsronder med OSA-frågor genomfördes på alla enheter under våren.",
        "APT-tema om jargong och bemötande med dialogkort om vardagsrasism.",
        "Lokalerna har setts över tillsammans med skyddsombud; "
        "två entréer har fått automatiska dörrar.",
    ],
    "trakasserier": [
        "Rutinen mot kränkande särbehandling och trakasserier har gåtts igenom på APT.",
        "Nya chefer går introduktionen där rutinen mot repressalier ingår.",
        "Ärendena utreddes av HR-konsult tillsammans med närmaste chef utan dröjsmål.",
    ],
    "loner": [
        "Lönekriterierna har granskats i samverkan inför lönerevisionen.",
        "Lönesättande chefer har gått utbildning i saklig lönesättning.",
    ],
    "rekrytering": [
        "Kompetensbaserad rekrytering används; kravprofilerna har setts över.",
        "Alla annonser har kommunens inkluderingsformulering.",
    ],
    "kompetensutveckling": [
        "Digitala utbildningar har gjort det lättare för deltidsanställda att delta.",
        "Medarbetarsamtal med kompetensplan har genomförts för nästan alla.",
    ],
    "foraldraskap": [
        "Möten och APT är förlagda mellan 9 och 15.",
        "Föräldralediga får månadsbrev och bjuds in till APT.",
    ],
    "default": [
        "Arbetet har följts upp i ledningsgruppen och i samverkansgruppen.",
        "Vi behöver bli bättre på att dokumentera analysen av orsakerna.",
        "Utvecklingsområde: sammanväva arbetsmiljöarbetet med likabehandlingsarbetet.",
    ],
}


# Answers to particular questions of the default questionnaire, so the demo reads naturally.
BY_QUESTION = {
    "identifierade_risker": [
        "Deltid är vanligare bland kvinnor i hemtjänsten; "
        "schemaläggningen gör det svårt att gå upp i tid.",
        "Medarbetare med annat modersmål får sällan bli handledare; kravprofilen ses över.",
        "Jargongen i ett arbetslag har upplevts som kränkande av yngre medarbetare.",
    ],
    "samverkan_beskrivning": [
        "Arbetet med aktiva åtgärder är en stående punkt i förvaltningens samverkansgrupp (FSG) "
        "två gånger per år; skyddsombuden deltog i undersökningen.",
        "Undersökningen och analysen togs fram tillsammans med Kommunal och Vision i LSG.",
    ],
    "arenden_hantering": [
        "Ärendena utreddes av HR-konsult och närmaste chef enligt rutinen; åtgärder vidtogs i "
        "arbetsgruppen och följdes upp efter tre månader.",
        "Båda ärendena utreddes skyndsamt. I ett fall omplacerades en medarbetare.",
    ],
    "rutin_forbattringar": [
        "Rutinen behöver tydligare säga vem en chef vänder sig till när chefen själv är anmäld.",
        "Repressalieförbudet behöver förklaras bättre i rutinen.",
    ],
    "jamn_konsfordelning_atgarder": [
        "Vi annonserar undersköterskeutbildningen riktat mot män och har satt upp mål för "
        "könsfördelningen bland chefer.",
        "Rekryteringsgrupper har alltid både kvinnor och män.",
    ],
    "positiva_iakttagelser": [
        "Fler medarbetare har kunnat delta i utbildningar när de erbjudits digitalt.",
        "APT-temat om vardagsrasism gav bra samtal och flera konkreta förslag.",
        "Cheferna känner väl till rutinen mot trakasserier och repressalier.",
    ],
    "utvecklingsomraden": [
        "Sammanväva arbetsmiljöarbetet och likabehandlingsarbetet bättre.",
        "Öka kunskapen om personalpolicyns kapitel om likabehandling bland medarbetarna.",
        "Bättre dokumentation av analysen av orsaker.",
    ],
    "hr_stod": [
        "Stöd i att analysera personalstatistiken per kön och anställningsform.",
        "Underlag till APT om trakasserier och repressalier.",
        "",
    ],
}

NEW_MEASURES = [
    {
        "goal": "Alla chefer känner till rutinen mot trakasserier och repressalier.",
        "title": "Chefsworkshop om likabehandlingspolicyn och aktiva åtgärder",
        "area": "trakasserier",
        "responsible": "Förvaltningschef",
        "schedule": "Under våren",
        "followup_method": "Närvaro och utvärdering i ledningsgruppen",
    },
    {
        "goal": "Fler ska kunna arbeta heltid.",
        "title": "Se över schemaläggningen så att deltidsanställda kan gå upp i tid",
        "area": "arbetsforhallanden",
        "responsible": "Verksamhetschef",
        "schedule": "Klart till hösten",
        "followup_method": "Andel heltider i personalstatistiken",
    },
    {
        "goal": "Alla kan delta på APT.",
        "title": "Lägg APT och möten mellan 9 och 15",
        "area": "foraldraskap",
        "responsible": "Enhetschefer",
        "schedule": "Från januari",
        "followup_method": "Medarbetarenkäten",
    },
    {
        "goal": "Föräldralediga får del av viktig information.",
        "title": "Rutin för kontakt med föräldralediga",
        "area": "foraldraskap",
        "responsible": "Närmaste chef",
        "schedule": "Löpande",
        "followup_method": "Medarbetarsamtal",
    },
    {
        "goal": "Saklig lönesättning.",
        "title": "Utbildning i lönesättning inför lönerevisionen",
        "area": "loner",
        "responsible": "HR-chef",
        "schedule": "Februari",
        "followup_method": "Enkät till lönesättande chefer",
    },
]


def _phrase(rng: random.Random, q: Any) -> str:
    if q.id in BY_QUESTION:
        return rng.choice(BY_QUESTION[q.id])[: getattr(q, "max_length", 2000)]
    areas = list(getattr(getattr(q, "tags", None), "areas", []) or [])
    bank = next((PHRASES[a] for a in areas if a in PHRASES), PHRASES["default"])
    limit = getattr(q, "max_length", 2000)
    return rng.choice(bank)[:limit]


def _value(
    rng: random.Random, q: Any, quality: float, year: int, measures: list[Any], employees: int
) -> Any:
    """A plausible answer to one question; better units say ja more often."""
    kind = q.type
    yes = rng.random() < quality
    if kind == "yes_no":
        return "ja" if yes else "nej"
    if kind == "yes_partly_no":
        answer = "ja" if yes else rng.choice(["delvis", "delvis", "nej"])
        return {
            "answer": answer,
            "comment": _phrase(rng, q) if answer != "ja" or rng.random() < 0.3 else "",
        }
    if kind == "single_choice":
        return rng.choice(q.options).value
    if kind == "multi_choice":
        count = max(getattr(q, "min_selected", 0) or 1, rng.randint(1, max(1, len(q.options) // 2)))
        if q.max_selected:
            count = min(count, q.max_selected)
        chosen = {o.value for o in rng.sample(q.options, min(count, len(q.options)))}
        return {"selected": [o.value for o in q.options if o.value in chosen], "other": ""}
    if kind == "scale":
        return rng.randint(max(1, round(q.points * quality) - 1), q.points)
    if kind == "integer" and "arbetstagare" in q.id:
        return employees
    if kind == "integer":
        low = q.min if q.min is not None else 0
        high = q.max if q.max is not None else low + 40
        return rng.randint(low, min(high, low + 40))
    if kind in ("text", "textarea"):
        return _phrase(rng, q)
    if kind == "date":
        return dt.date(year, rng.randint(2, 11), rng.randint(1, 28)).isoformat()
    if kind == "percentage":
        return rng.randint(int(50 + 40 * quality) - 10, min(100, int(60 + 40 * quality)))
    if kind == "integer_group":
        return {item.id: rng.choice([0, 0, 0, 1, 1, 2, 3]) for item in q.items}
    if kind == "table" and {c.id for c in q.columns} <= set(NEW_MEASURES[0]):
        return rng.sample(NEW_MEASURES, rng.randint(1, 3))
    if kind == "table":
        rows = []
        for _ in range(rng.randint(max(1, q.min_rows), min(3, q.max_rows))):
            row = {}
            for column in q.columns:
                if column.type == "choice":
                    row[column.id] = rng.choice(column.options).value
                elif column.type == "integer":
                    row[column.id] = rng.randint(1, 10)
                elif column.type == "date":
                    row[column.id] = dt.date(year + 1, rng.randint(1, 12), 15).isoformat()
                else:
                    row[column.id] = _phrase(rng, q)[: column.max_length]
            rows.append(row)
        return rows
    if kind == "measure_followup":
        statuses = [s.value for s in q.statuses]
        return [
            {
                "measure_id": m.id,
                "title": m.title,
                "status": rng.choice(statuses),
                "effect": rng.choice(["ja", "delvis", "nej"]),
                "comment": "",
            }
            for m in measures
        ]
    return None  # attachments are not invented


def generate_answers(
    definition: Definition,
    rng: random.Random,
    quality: float,
    year: int,
    context: RenderContext,
    employees: int = 100,
) -> dict[str, Any]:
    """Answers for every question, cleaned by the form engine (conditions applied)."""
    raw = {}
    for _section, q in definition.iter_questions():
        value = _value(rng, q, quality, year, list(context.measures), employees)
        if value is not None:
            raw[q.id] = value
    qform = QuestionnaireForm(definition, data=raw, context=context)
    qform.validate(partial=True)
    return qform.answers()


def load(rng: random.Random | None = None, this_year: int | None = None) -> list[Round]:
    """Create closed rounds for the last three years and an open one for this year; flush."""
    rng = rng or random.Random(2026)  # noqa: S311 (demo data, not security)
    this_year = this_year or dt.date.today().year
    folder = Path(current_app.config["QUESTIONNAIRE_FOLDER"])
    path = questionnaire_services.find_file(folder, Path(QUESTIONNAIRE_FILE).stem)
    if path is None:
        return []
    version = questionnaire_services.freeze(load_definition(path), path.name)
    definition = version.definition
    hr = db.session.scalar(select(User).where(User.role == "hr"))
    quality = {uid: rng.uniform(0.45, 0.8) for uid in services.default_target_ids()}
    rounds = []
    for year in range(this_year - 3, this_year + 1):
        round_ = services.create_round(
            title=TITLE.format(year=year),
            year=year,
            questionnaire_version_id=version.id,
            opens_on=dt.date(year, 10, 15),
            due_on=dt.date(year, 11, 30),
            target_unit_ids=list(quality),
            created_by=hr,
        )
        services.open_round(round_, notify=False)
        current = year == this_year
        for index, assignment in enumerate(round_.assignments):
            unit_id = assignment.round_unit.unit_id
            quality[unit_id] = min(0.95, quality[unit_id] + rng.uniform(0.0, 0.08))
            _answer(assignment, definition, rng, quality[unit_id], year, current, index)
        if not current:
            round_.opened_at = dt.datetime(year, 10, 15, 8, 0, tzinfo=dt.UTC)
            services.close_round(round_)
        rounds.append(round_)
    db.session.flush()
    return rounds


def _answer(
    assignment: Assignment,
    definition: Definition,
    rng: random.Random,
    quality: float,
    year: int,
    current: bool,
    index: int,
) -> None:
    from webapp.rounds.answering import context_for

    respondent = assignment.respondent
    if respondent is None:
        return
    answers = generate_answers(
        definition, rng, quality, year, context_for(assignment), assignment.round_unit.employees
    )
    opened = dt.datetime(year, 10, rng.randint(16, 31), 10, tzinfo=dt.UTC)
    # This year's round shows every state: submitted, reopened, started, not opened.
    plan = (
        [
            "submitted",
            "started",
            "submitted",
            "not_opened",
            "submitted",
            "reopened",
            "started",
            "submitted",
        ][index % 8]
        if current
        else "submitted"
    )
    if plan == "not_opened":
        return
    if plan == "started":
        half = dict(list(answers.items())[: len(answers) // 2])
        assignment.save_draft(half, respondent)
        assignment.first_opened_at = opened
        return
    assignment.submit(answers, respondent)
    assignment.first_opened_at = opened
    assignment.submitted_at = assignment.updated_at = dt.datetime(
        year, 11, rng.randint(2, 28), 9, tzinfo=dt.UTC
    )
    if plan == "reopened":
        assignment.reopen("Antalet ärenden om trakasserier saknas; komplettera gärna.")
