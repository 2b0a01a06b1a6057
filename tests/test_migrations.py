"""The Alembic migrations build exactly the schema the models describe.

When this fails after a model change, generate a migration (`aktiva db migrate -m "..."`),
read it, and commit it with the change.
"""

from __future__ import annotations

import logging.config
import uuid
from collections.abc import Iterator
from pathlib import Path

import flask_migrate
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import make_url

from tests.conftest import PG_URL
from tests.conftest import make_config
from webapp import create_app
from webapp.extensions import db


@pytest.fixture
def quiet_alembic_logging(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep env.py from reconfiguring logging: fileConfig would disable every existing logger
    (the app's included) for the rest of the test session."""
    monkeypatch.setattr(logging.config, "fileConfig", lambda *args, **kwargs: None)


def _schema_diff(tmp_path: Path, url: str) -> list[object]:
    """Migrate an empty database at `url` to head; return how it differs from the models."""
    app = create_app(make_config(tmp_path, SQLALCHEMY_DATABASE_URI=url))
    with app.app_context():
        try:
            flask_migrate.upgrade()
            with db.engine.connect() as connection:
                context = MigrationContext.configure(connection, opts={"compare_type": True})
                return list(compare_metadata(context, db.metadata))
        finally:
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def fresh_postgres() -> Iterator[str]:
    """Create an empty PostgreSQL database next to the test database; drop it afterwards."""
    assert PG_URL, "only collected when AKTIVA_TEST_DATABASE_URL is set"
    name = f"aktiva_migrations_{uuid.uuid4().hex[:8]}"
    server = sa.create_engine(make_url(PG_URL).set(database="postgres"),
                              isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
        with server.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        server.dispose()


def _describe(change: object) -> str:
    """Name one autogenerate difference briefly, e.g. `add_table measure`."""
    if isinstance(change, list):  # column modifications come as a list of tuples
        return "; ".join(_describe(c) for c in change)
    op, *args = change  # type: ignore[misc]
    names = [getattr(a, "name", None) or (a if isinstance(a, str) else "") for a in args[:3]]
    return " ".join([op, *(str(n) for n in names if n)])


def _explain(diff: list[object]) -> str:
    return ("the migrations do not match the models; run `aktiva db migrate`:\n"
            + "\n".join(_describe(d) for d in diff))


@pytest.mark.usefixtures("quiet_alembic_logging")
def test_migrations_match_models_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'migrated.sqlite'}"
    diff = _schema_diff(tmp_path, url)
    assert not diff, _explain(diff)
    # The anonymous tables must keep no rowid: it would reveal the order of arrival.
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        sql = dict(connection.execute(sa.text("SELECT name, sql FROM sqlite_master")).all())
    engine.dispose()
    for table in ("anonymous_response", "anonymous_access_code", "anonymous_draft"):
        assert sql[table].rstrip().endswith("WITHOUT ROWID"), table


# The PostgreSQL run of CI sets AKTIVA_TEST_DATABASE_URL; the SQLite run has no server to use.
if PG_URL:

    @pytest.mark.usefixtures("quiet_alembic_logging")
    def test_migrations_match_models_on_postgres(tmp_path: Path, fresh_postgres: str) -> None:
        diff = _schema_diff(tmp_path, fresh_postgres)
        assert not diff, _explain(diff)
