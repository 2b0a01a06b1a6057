"""Installation-wide settings that staff change in the app: a small key/value table.

- `get_min_group_size()` / `set_min_group_size(k)`: the minimum group size k of anonymous
  results (default 5, never below 3). The rule that applies it lives in reports/suppression.py;
  this module only stores the number.
- `get_retention_months()` / `set_retention_months(m)`: how many months after an anonymous
  round closes its raw answers are kept (`aktiva retention apply` deletes older ones).

Setters flush and audit; they never commit.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON
from sqlalchemy import String
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from webapp import audit
from webapp.extensions import db

MIN_GROUP_SIZE_KEY = "anonymous.min_group_size"
RETENTION_KEY = "anonymous.retention_months"
DEFAULT_MIN_GROUP_SIZE = 5
MIN_GROUP_SIZE_FLOOR = 3
DEFAULT_RETENTION_MONTHS = 24
RETENTION_RANGE = (1, 120)


class Setting(db.Model):  # type: ignore[name-defined]
    """One setting: a key and a JSON value."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)


def _get(key: str, default: Any) -> Any:
    row = db.session.get(Setting, key)
    return default if row is None else row.value


def _set(key: str, value: Any) -> Any:
    row = db.session.get(Setting, key)
    old = None if row is None else row.value
    if row is None:
        db.session.add(Setting(key=key, value=value))
    else:
        row.value = value
    db.session.flush()
    audit.record("setting.changed", None, summary=f"{key}: {old} → {value}", key=key, old=old,
                 new=value)
    return old


def get_min_group_size() -> int:
    """Return k: groups with fewer answers than this are never shown (default 5, at least 3)."""
    try:
        value = int(_get(MIN_GROUP_SIZE_KEY, DEFAULT_MIN_GROUP_SIZE))
    except (TypeError, ValueError):
        value = DEFAULT_MIN_GROUP_SIZE
    return max(value, MIN_GROUP_SIZE_FLOOR)


def set_min_group_size(k: int) -> None:
    """Store k; raise ValueError below the floor of 3."""
    if int(k) < MIN_GROUP_SIZE_FLOOR:
        raise ValueError(f"k must be at least {MIN_GROUP_SIZE_FLOOR}")
    _set(MIN_GROUP_SIZE_KEY, int(k))


def get_retention_months() -> int:
    """Return how many months after closing a round its raw anonymous answers are kept."""
    try:
        value = int(_get(RETENTION_KEY, DEFAULT_RETENTION_MONTHS))
    except (TypeError, ValueError):
        value = DEFAULT_RETENTION_MONTHS
    return min(max(value, RETENTION_RANGE[0]), RETENTION_RANGE[1])


def set_retention_months(months: int) -> None:
    """Store the retention period in months (1-120); raise ValueError outside it."""
    if not RETENTION_RANGE[0] <= int(months) <= RETENTION_RANGE[1]:
        raise ValueError("retention must be 1-120 months")
    _set(RETENTION_KEY, int(months))
