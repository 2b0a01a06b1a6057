"""The organisation blueprint. Its routes live in views.py, imported when the app registers it."""

from flask import Blueprint

bp = Blueprint("organisation", __name__)
