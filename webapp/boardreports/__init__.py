"""The boardreports blueprint. Its routes live in views.py, imported when the app registers it."""

from flask import Blueprint

bp = Blueprint("boardreports", __name__)
