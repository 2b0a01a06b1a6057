"""Today's date in the municipality's time zone (deadlines are local dates)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import current_app


def today() -> dt.date:
    """Return today's date in the configured time zone."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return dt.datetime.now(zone).date()
