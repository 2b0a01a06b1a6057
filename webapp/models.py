"""Import every capability's models so that the metadata (and Alembic) sees all tables."""

from webapp.audit import AuditEntry  # noqa: F401
from webapp.organisation.models import Unit  # noqa: F401
from webapp.organisation.models import User  # noqa: F401
