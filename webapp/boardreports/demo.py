"""Demo board reports for Exempelkommun: an approved, archived report for every closed year but
the last, and a draft for the last one, so that board members find an archive per year at once
and HR has this year's draft to work on.

Everything goes through the boardreports services (create_draft, update, mark_sent, approve),
exactly as HR would do it in the browser; the archived PDF/A files land in the archive folder.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from reports import board_report as br
from webapp.boardreports import services
from webapp.boardreports.models import BoardReport
from webapp.extensions import db
from webapp.organisation.models import Role
from webapp.organisation.models import User
from webapp.rounds.models import Round

DECIDING_ORGAN = "Kommunstyrelsens arbetsutskott"


@dataclass(frozen=True)
class DemoDecision:
    """How the board decided on one year's report (the year after the follow-up)."""

    paragraph: str
    diarienummer: str
    sent: dt.date
    decided: dt.date


def decision_for(year: int) -> DemoDecision:
    """Return a plausible decision on the report of `year`: taken up in May the year after."""
    decided_in = year + 1
    short = decided_in % 100
    return DemoDecision(paragraph=f"§ {12 + 2 * (decided_in % 2)}/{short:02d}",
                        diarienummer=f"KS {decided_in}/{118 - 21 * (decided_in % 2)}",
                        sent=dt.date(decided_in, 4, 22), decided=dt.date(decided_in, 5, 12))


DEVELOPMENT = (
    "Förvaltningarna behöver bli bättre på att dokumentera analysen av orsaker, inte bara "
    "resultatet av undersökningen.\n\n"
    "Arbetsmiljöarbetet och likabehandlingsarbetet bör vävas samman, till exempel genom att "
    "skyddsronden alltid tar upp frågor om kränkande särbehandling och trakasserier.")


def seed_board_reports() -> list[BoardReport]:
    """Create the reports of the closed rounds: approved and archived for every year but the
    latest, a draft for the latest; flush only."""
    rounds = list(db.session.scalars(
        select(Round).where(Round.state == "closed").order_by(Round.year)))
    if not rounds:
        return []
    hr = db.session.scalar(select(User).where(User.role == Role.HR))
    reports = []
    for round_ in rounds:
        if services.report_for(round_) is not None:
            continue
        latest = round_ is rounds[-1]
        report = services.create_draft(round_)
        candidates = services.quote_candidates(round_)
        quotes = [c.__dict__ for c in _chosen(candidates)]
        if latest:
            services.update(report, quotes)
        else:
            decision = decision_for(round_.year)
            texts = br.default_texts(round_.year, report.author, report.organ, decision.sent)
            services.update(report, quotes, report_date=decision.sent, basis=texts.basis,
                            development=DEVELOPMENT)
            services.mark_sent(report)
            services.approve(report, DECIDING_ORGAN, decision.decided, decision.paragraph,
                             decision.diarienummer, hr)
        reports.append(report)
    db.session.flush()
    return reports


def _chosen(candidates: list[br.QuotedText], per_question: int = 2,
            questions: int = 2) -> list[br.QuotedText]:
    """A few quotes, as HR would pick them: two answers each to the first two questions."""
    chosen: list[br.QuotedText] = []
    seen: dict[str, int] = {}
    for quote in candidates:
        if not quote.text.strip():
            continue
        if quote.question not in seen and len(seen) >= questions:
            continue
        if seen.get(quote.question, 0) >= per_question:
            continue
        if any(q.text == quote.text for q in chosen):
            continue
        seen[quote.question] = seen.get(quote.question, 0) + 1
        chosen.append(quote)
    return chosen
