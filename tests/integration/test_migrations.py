"""The Alembic migrations build exactly the schema that store/tables.py declares."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine

from consentline.store.db import has_schema, migrate
from consentline.store.schema import metadata


def test_migrated_schema_matches_the_tables(engine: Engine) -> None:
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
    assert differences == []


def test_migrating_twice_changes_nothing(engine: Engine) -> None:
    migrate(engine)
    assert has_schema(engine)
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []


def test_the_migrations_form_one_line() -> None:
    """One head: every migration builds on the one before, so upgrades have one order."""
    from alembic.script import ScriptDirectory

    from consentline.store.db import alembic_config

    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert script.get_heads() == ["0005"]
