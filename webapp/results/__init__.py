"""The results blueprint. Its routes live in views.py, imported when the app registers it."""

from flask import Blueprint

bp = Blueprint("results", __name__)
