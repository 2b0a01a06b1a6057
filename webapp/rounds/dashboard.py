"""HR's view of a round: status per unit, response rate, overdue units, a status chart."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from dataclasses import field

from sqlalchemy import func
from sqlalchemy import select

from reports import charts
from webapp.extensions import db
from webapp.rounds.models import ASSIGNMENT_STATE_LABELS
from webapp.rounds.models import Assignment
from webapp.rounds.models import AssignmentState
from webapp.rounds.models import MailLog
from webapp.rounds.models import Round

STATE_ORDER = [
    AssignmentState.SUBMITTED,
    AssignmentState.REOPENED,
    AssignmentState.STARTED,
    AssignmentState.NOT_OPENED,
    AssignmentState.OVERDUE,
]
STATE_COLORS = {
    AssignmentState.SUBMITTED: charts.PALETTE[2],
    AssignmentState.REOPENED: charts.PALETTE[5],
    AssignmentState.STARTED: charts.PALETTE[0],
    AssignmentState.NOT_OPENED: charts.PALETTE[4],
    AssignmentState.OVERDUE: charts.PALETTE[3],
}


@dataclass
class Row:
    """One unit on the dashboard."""

    assignment: Assignment
    state: AssignmentState

    @property
    def label(self) -> str:
        """Swedish label of the state."""
        return ASSIGNMENT_STATE_LABELS[self.state]


@dataclass
class DashboardView:
    """Everything the dashboard page shows."""

    rows: list[Row]
    counts: dict[AssignmentState, int]
    total: int
    submitted: int
    parents: list[str] = field(default_factory=list)
    failed_mails: int = 0

    @property
    def response_rate(self) -> float:
        """Share of units that have submitted, 0–100."""
        return 100 * self.submitted / self.total if self.total else 0.0


def build(round_: Round, today: dt.date, status: str = "", parent: str = "") -> DashboardView:
    """Return the dashboard of a round, filtered by state and parent unit name."""
    all_rows = [Row(a, a.display_state(today)) for a in round_.assignments]
    # Units that need attention first: overdue, not opened, started, reopened, submitted.
    all_rows.sort(key=lambda r: (-STATE_ORDER.index(r.state), r.assignment.round_unit.position))
    counts = Counter(r.state for r in all_rows)
    parents = sorted(
        {
            r.assignment.round_unit.parent_name
            for r in all_rows
            if r.assignment.round_unit.parent_name
        }
    )
    rows = [
        r
        for r in all_rows
        if (not status or r.state == status)
        and (not parent or r.assignment.round_unit.parent_name == parent)
    ]
    failed = (
        db.session.scalar(
            select(func.count())
            .select_from(MailLog)
            .where(MailLog.round_id == round_.id, MailLog.error.is_not(None))
        )
        or 0
    )
    return DashboardView(
        rows=rows,
        counts={s: counts.get(s, 0) for s in STATE_ORDER},
        total=len(all_rows),
        submitted=counts.get(AssignmentState.SUBMITTED, 0),
        parents=parents,
        failed_mails=failed,
    )


def chart_alt(view: DashboardView) -> str:
    """The chart in words."""
    return charts.alt_text_counts(
        "Status per enhet",
        [ASSIGNMENT_STATE_LABELS[s] for s in STATE_ORDER],
        [view.counts[s] for s in STATE_ORDER],
    )


def status_chart_svg(view: DashboardView) -> bytes:
    """A bar chart of the number of units in each state."""
    fig, ax = charts.new_figure(7.0, 2.8)
    charts.plot_counts(
        ax,
        [ASSIGNMENT_STATE_LABELS[s] for s in STATE_ORDER],
        [view.counts[s] for s in STATE_ORDER],
        colors=[STATE_COLORS[s] for s in STATE_ORDER],
        xlabel="Antal enheter",
    )
    return charts.to_svg(fig, chart_alt(view))
