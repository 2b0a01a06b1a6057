"""The rounds blueprint. Its routes live in views.py, imported when the app registers it."""

from flask import Blueprint

bp = Blueprint("rounds", __name__)
