"""Engines and migrations.

SQLite runs every write transaction as ``BEGIN IMMEDIATE``, which serializes writers so two
events on one conversation cannot both read the old consent record. PostgreSQL locks the
conversation row instead (``SELECT ... FOR UPDATE``, see ``repository``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, inspect
from sqlalchemy.pool import StaticPool

MIGRATIONS = Path(__file__).with_name("migrations")
# Sync routes run on the server's thread pool (40 threads): give each thread a connection,
# so that a burst of requests queues on the database's lock, not on a pool timeout.
POOL: dict[str, Any] = {"pool_size": 20, "max_overflow": 30, "pool_timeout": 60}
READ_ONLY = "consentline_read_only"


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    return create_engine(url, pool_pre_ping=True, **POOL)


def _sqlite_engine(url: str) -> Engine:
    in_memory = url in ("sqlite://", "sqlite:///:memory:")
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": 30},
        **({"poolclass": StaticPool} if in_memory else POOL),
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, say when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Long reads (reports, exports, archive verify) ask for a plain snapshot instead, so
        # that in WAL mode they never hold the write lock (see ``reading``).
        if connection.get_execution_options().get(READ_ONLY):
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def reading(engine: Engine) -> Connection:
    """A connection for long reads: one consistent snapshot that never blocks writers."""
    return engine.connect().execution_options(**{READ_ONLY: True})


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration (the server does this on start)."""
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def has_schema(engine: Engine) -> bool:
    return inspect(engine).has_table("alembic_version")


def migrations_current(conn: Connection) -> bool:
    """Whether the database is at every head of the migration scripts."""
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    applied = set(MigrationContext.configure(conn).get_current_heads())
    return applied == set(script.get_heads())
