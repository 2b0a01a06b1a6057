"""The anonymous survey blueprint; its routes live in views.py, imported on registration."""

from flask import Blueprint

bp = Blueprint("anonymous", __name__)
