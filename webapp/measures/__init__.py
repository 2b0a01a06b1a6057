"""The measures blueprint. Its routes live in views.py, imported when the app registers it."""

from flask import Blueprint

bp = Blueprint("measures", __name__)
