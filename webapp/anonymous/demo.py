"""Demo data: one closed anonymous survey for 2026 with a few hundred made-up answers.

Some units get fewer answers than k so that the results page shows suppression at work.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import insert
from sqlalchemy import select

from webapp.anonymous import services
from webapp.anonymous.models import AnonymousResponse
from webapp.extensions import db
from webapp.organisation.models import Unit

# unit code -> answers to generate (KLF-IT, SOC-FS and SBF-PB stay below k = 5)
DEMO_ANSWERS = {"KLF-HR": 24, "KLF-EK": 27, "KLF-KOM": 31, "KLF-IT": 3, "SOC-FS": 4,
                "SOC-MO": 52, "SBF-PB": 2, "SBF-GP": 46, "SBF-VA": 49, "TKF-FA": 58}
SUGGESTIONS = [
    "Mer tid för gemensamma samtal om bemötande på arbetsplatsträffarna.",
    "Tydligare rutin för vart man vänder sig om chefen är den som agerar fel.",
    "Utbildning om jargong och skämt som kan upplevas som kränkande.",
    "Att lönesättningen förklaras öppnare.",
    "Fler möjligheter till deltid för föräldrar med små barn.",
    "Att alla nya får en introduktion i likabehandling.",
    "Bättre uppföljning när någon har sagt ifrån.",
    "Mer blandade arbetsgrupper.",
]


def _answers(rng: random.Random) -> dict[str, Any]:
    answers: dict[str, Any] = {
        "kon": rng.choices(["kvinna", "man", "annat", "vill_ej_uppge"], [60, 35, 2, 3])[0],
        "aldersgrupp": rng.choice(["under_30", "fran_30_till_49", "over_50", "vill_ej_uppge"]),
        "vet_vart_vanda": rng.choices(["ja", "nej", "osaker"], [70, 10, 20])[0],
        "kanner_till_rutinen": {"answer": rng.choices(["ja", "delvis", "nej"], [55, 30, 15])[0]},
        "bevittnat": rng.choices(["ja", "nej"], [15, 85])[0],
    }
    for qid in ("respekt", "vara_mig_sjalv", "krankande_jargong", "lika_kompetensutveckling",
                "saklig_lonesattning", "arbete_och_foraldraskap", "chef_agerar",
                "papeka_utan_repressalier"):
        answers[qid] = rng.choices([1, 2, 3, 4, "vet_ej"], [5, 15, 40, 35, 5])[0]
    utsatt = rng.choices(["nej", "ja_en_gang", "ja_flera", "vill_ej_svara"], [82, 9, 6, 3])[0]
    answers["utsatt"] = utsatt
    answers["sexuella_trakasserier"] = {"selected": ["inget"] if utsatt == "nej" else
                                        rng.sample(["kommentarer", "beroring"], 1)}
    if utsatt.startswith("ja"):
        answers["utsatt_grund"] = {"selected": rng.sample(["kon", "alder", "vet_ej"], 1)}
        answers["av_vem"] = {"selected": rng.sample(["chef", "kollega", "tredje_part"], 1)}
        answers["hanterades_bra"] = rng.choice(["ja", "delvis", "nej", "ej_aktuellt"])
    if rng.random() < 0.3:
        answers["forbattringsforslag"] = rng.choice(SUGGESTIONS)
    return answers


def seed_anonymous() -> None:
    """Create the closed 2026 survey "Medarbetarenkät om likabehandling 2026"; flush only."""
    units = {u.code: u for u in db.session.scalars(
        select(Unit).where(Unit.code.in_(list(DEMO_ANSWERS))))}
    if not units or not (Path(current_app.config["QUESTIONNAIRE_FOLDER"])
                         / "medarbetarenkat.yaml").exists():
        return
    version = services.freeze_file("medarbetarenkat.yaml")
    round_ = services.create_round(
        title="Medarbetarenkät om likabehandling 2026", year=2026,
        questionnaire_version_id=version.id, opens_on=dt.date(2026, 3, 2),
        closes_on=dt.date(2026, 3, 27),
        target_unit_ids=[units[c].id for c in DEMO_ANSWERS if c in units], created_by=None)
    services.open_round(round_)
    rng = random.Random(2026)
    rows = []
    for snapshot in round_.units:
        for _ in range(DEMO_ANSWERS[snapshot.unit_code]):
            day = dt.date(2026, 3, 2) + dt.timedelta(days=rng.randrange(26))
            rows.append({"id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                         "round_id": round_.id, "round_unit_id": snapshot.id,
                         "answered_week": services.iso_week(day), "answers": _answers(rng)})
    rng.shuffle(rows)
    db.session.execute(insert(AnonymousResponse), rows)
    services.close_round(round_, dt.date(2026, 3, 27))
    db.session.flush()
