"""Start page, language switch, health check and the accessibility statement."""

from __future__ import annotations

from flask import current_app
from flask import jsonify
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask_login import current_user
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from webapp.extensions import db
from webapp.extensions import limiter
from webapp.main import bp
from webapp.main.forms import LanguageForm
from webapp.organisation.models import Unit
from webapp.organisation.models import User
from webapp.permissions import unit_ids_in_scope
from webapp.security import safe_next


@bp.route("/")
def index():  # type: ignore[no-untyped-def]
    scope = unit_ids_in_scope(current_user)
    if scope is None:
        units = db.session.scalar(select(func.count()).select_from(Unit)) or 0
        employees = db.session.scalar(select(func.sum(Unit.employees)))
        users = db.session.scalar(select(func.count()).select_from(User)) or 0
        stats = {"units": units, "employees": employees or 0, "users": users}
    else:
        stats = None
    return render_template("main/index.html", stats=stats, headed=current_user.headed_units,
                           open_rounds=_open_rounds() if scope is None else [],
                           my_open=_my_open_assignments())


def _open_rounds() -> list[tuple[object, int, int]]:
    """(round, submitted, total) for each open follow-up round, for HR's start page."""
    from webapp.rounds.models import Round
    from webapp.rounds.models import RoundState

    rounds = db.session.scalars(select(Round).where(Round.state == RoundState.OPEN)
                                .order_by(Round.year.desc())).all()
    return [(r, sum(a.is_submitted for a in r.assignments), len(r.assignments)) for r in rounds]


def _my_open_assignments() -> list[object]:
    """Follow-ups the user still has to answer."""
    from webapp.rounds.answering import assignments_for

    return [a for a in assignments_for(current_user) if a.is_editable]


@bp.route("/healthz")
@limiter.exempt
def healthz():  # type: ignore[no-untyped-def]
    try:
        db.session.execute(text("SELECT 1"))
        database = "ok"
    except SQLAlchemyError as exc:
        current_app.logger.error("Health check: database unavailable: %s", exc)
        database = "unavailable"
    status = 200 if database == "ok" else 503
    return jsonify(status="ok" if status == 200 else "error", database=database), status


@bp.route("/sprak", methods=["POST"])
def set_language():  # type: ignore[no-untyped-def]
    form = LanguageForm()
    if form.validate_on_submit() and form.lang.data in current_app.config["LANGUAGES"]:
        session["lang"] = form.lang.data
    return redirect(safe_next(form.next.data))


@bp.route("/tillganglighet")
def accessibility():  # type: ignore[no-untyped-def]
    return render_template("main/accessibility.html")


AUDIT_PAGE_SIZE = 100


@bp.route("/logg")
def audit_log():  # type: ignore[no-untyped-def]
    from webapp.audit import AuditEntry

    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    action = request.args.get("action", "").strip()
    actor = request.args.get("actor", "").strip()
    if action:
        query = query.where(AuditEntry.action.startswith(action))
    if actor:
        query = query.where(AuditEntry.actor.contains(actor))
    page = max(request.args.get("sida", 1, type=int), 1)
    entries = db.session.scalars(
        query.offset((page - 1) * AUDIT_PAGE_SIZE).limit(AUDIT_PAGE_SIZE + 1)
    ).all()
    actions = sorted({a.split(".")[0] for a in db.session.scalars(
        select(AuditEntry.action).distinct())})
    return render_template("main/audit_log.html", entries=entries[:AUDIT_PAGE_SIZE],
                           has_more=len(entries) > AUDIT_PAGE_SIZE, page=page, actions=actions,
                           action=action, actor=actor)
