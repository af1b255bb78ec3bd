"""The Alembic migrations build exactly the schema that store/tables.py declares."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, create_engine

from consentline.store.db import has_schema, make_engine, migrate, migrations_current
from consentline.store.schema import metadata
from consentline.store.search_tables import include_name
from tests.postgres import PostgresServer

OPTS = {"include_name": include_name}


def test_migrated_schema_matches_the_tables(engine: Engine) -> None:
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn, opts=OPTS), metadata)
    assert differences == []


def test_migrating_twice_changes_nothing(engine: Engine) -> None:
    migrate(engine)
    assert has_schema(engine)
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn, opts=OPTS), metadata) == []


def test_the_migrations_form_one_line() -> None:
    """One head: every migration builds on the one before, so upgrades have one order."""
    from alembic.script import ScriptDirectory

    from consentline.store.db import alembic_config

    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert script.get_heads() == ["0015"]


def test_processes_starting_together_migrate_once(
    database_url: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """Servers and workers all migrate on start: on a fresh database, at the same moment,
    one migrates and the others wait, then find the schema current."""
    if database_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'fresh.db'}"
    else:
        server: PostgresServer = request.getfixturevalue("postgres")
        name = f"fresh_{os.getpid()}_{tmp_path.name[-8:].lower()}"
        admin = create_engine(server.url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        admin.dispose()
        url = server.url(name)
    program = "import sys; from consentline.store.db import make_engine, migrate; "
    program += "migrate(make_engine(sys.argv[1]))"
    starting = [
        subprocess.Popen([sys.executable, "-c", program, url], stderr=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    failures = [p.communicate(timeout=120)[1] for p in starting if p.wait(timeout=120)]
    assert failures == []
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            assert migrations_current(conn)
    finally:
        engine.dispose()
