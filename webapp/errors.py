"""Custom error pages in the user's language."""

from __future__ import annotations

from flask import Flask
from flask import jsonify
from flask import render_template
from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

# Lazy, so that the catalog has them and each page gets them in the visitor's language.
MESSAGES = {
    400: _l("Begäran kunde inte behandlas."),
    403: _l("Du har inte behörighet att se den här sidan."),
    404: _l("Sidan finns inte. Kontrollera adressen eller gå tillbaka till startsidan."),
    405: _l("Det går inte att göra så på den här sidan."),
    413: _l("Filen eller formuläret är för stort."),
    429: _l("För många försök. Vänta en stund och försök igen."),
    500: _l("Något gick fel hos oss. Felet är loggat; försök igen om en stund."),
}


def register_error_handlers(app: Flask) -> None:
    """Render every HTTP error with the site's own page, or JSON for API clients."""

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):  # type: ignore[no-untyped-def]
        message = _("Formuläret hade gått ut. Ladda om sidan och försök igen; inget har sparats.")
        return render_template("errors/error.html", code=400, message=message), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):  # type: ignore[no-untyped-def]
        code = error.code or 500
        if request.accept_mimetypes.best == "application/json":
            return jsonify(error=error.name, status=code), code
        message = str(MESSAGES[code]) if code in MESSAGES else (error.description or "")
        return render_template("errors/error.html", code=code, message=message), code

    @app.errorhandler(Exception)
    def server_error(error: Exception):  # type: ignore[no-untyped-def]
        if isinstance(error, HTTPException):
            return http_error(error)
        app.logger.exception("Unhandled error on %s", request.path)
        from webapp.extensions import db

        db.session.rollback()
        return render_template("errors/error.html", code=500, message=str(MESSAGES[500])), 500
