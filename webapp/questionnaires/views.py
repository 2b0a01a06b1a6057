"""Pages: the questionnaire files with their validation status, the preview, downloads."""

from __future__ import annotations

import datetime as dt

from flask import abort
from flask import current_app
from flask import render_template
from flask import request
from flask import send_file
from flask_babel import gettext as _
from flask_login import current_user

from webapp.extensions import db
from webapp.forms import EmptyForm
from webapp.questionnaires import bp
from webapp.questionnaires import services
from webapp.questionnaires.engine import QuestionnaireForm
from webapp.questionnaires.engine import RenderContext
from webapp.questionnaires.engine import request_formdata
from webapp.questionnaires.engine import summary
from webapp.questionnaires.models import Attachment


def _example_measures() -> list[dict[str, object]]:
    """Return two made-up measures so HR can see how the measure block looks."""
    year = dt.date.today().year
    return [
        {"id": 1, "title": _("Utbilda alla chefer i rutinen mot trakasserier"),
         "responsible": _("HR-chef"), "deadline": dt.date(year, 6, 30), "status": _("Pågår")},
        {"id": 2, "title": _("Se över annonsmallen med en inkluderingsformulering"),
         "responsible": _("Rekryteringsansvarig"), "deadline": dt.date(year, 3, 31),
         "status": _("Planerad")},
    ]


@bp.route("/enkater")
def index():  # type: ignore[no-untyped-def]
    entries = services.catalogue(current_app.config["QUESTIONNAIRE_FOLDER"])
    return render_template("questionnaires/index.html", entries=entries,
                           versions=services.versions())


@bp.route("/enkater/<name>/forhandsgranska", methods=["GET", "POST"])
def preview(name: str):  # type: ignore[no-untyped-def]
    path = services.find_file(current_app.config["QUESTIONNAIRE_FOLDER"], name)
    if path is None:
        abort(404)
    entry = services.read_entry(path)
    if entry.definition is None:
        return render_template("questionnaires/preview.html", entry=entry, qform=None), 422
    with_examples = request.values.get("exempel") == "1"
    context = RenderContext(measures=_example_measures() if with_examples else [])
    csrf = EmptyForm()
    qform = QuestionnaireForm(entry.definition, formdata=request_formdata(), context=context)
    result = None
    if request.method == "POST" and csrf.validate_on_submit() and not qform.add_row_requested:
        # A preview stores nothing: attachments are checked but never saved.
        if qform.validate(partial=request.form.get("action") == "draft"):
            result = summary(entry.definition, qform.answers())
    return render_template("questionnaires/preview.html", entry=entry, qform=qform, csrf=csrf,
                           result=result, with_examples=with_examples,
                           has_measure_block=any(q.type == "measure_followup"  # type: ignore[attr-defined]
                                                 for _s, q in entry.definition.iter_questions()))


@bp.route("/bilagor/<int:attachment_id>")
def attachment(attachment_id: int):  # type: ignore[no-untyped-def]
    item = db.get_or_404(Attachment, attachment_id)
    if not services.may_download(current_user, item):
        abort(403)
    path = services.attachment_path(item)
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype=item.content_type, as_attachment=True,
                     download_name=item.original_name, max_age=0)
