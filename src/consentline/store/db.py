"""Engines and migrations.

SQLite runs every write transaction as ``BEGIN IMMEDIATE``, which serializes writers so two
events on one conversation cannot both read the old consent record. PostgreSQL locks the
conversation row instead (``SELECT ... FOR UPDATE``, see ``conversations``).
"""

from __future__ import annotations

import math
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, inspect, make_url
from sqlalchemy.pool import StaticPool

from consentline.store.deadline import DeadlineConnection

MIGRATIONS = Path(__file__).with_name("migrations")
# Sync routes run on the server's thread pool (40 threads): give each thread a connection,
# so that a burst of requests queues on the database's lock, not on a pool timeout.
POOL: dict[str, Any] = {"pool_size": 20, "max_overflow": 30, "pool_timeout": 60}
READ_ONLY = "consentline_read_only"
LOCK_WAIT = "consentline_lock_wait"
"""Execution option: seconds a SQLite writer waits for the process's write lock, instead of
LOCK_TIMEOUT_SECONDS (a readiness probe should not queue behind a burst of writes)."""
MIGRATION_LOCK = 0x636F6E73656E74  # any constant shared by every ConsentLine process
# How long a SQLite writer waits for the one before it: on the process's lock, then on
# SQLite's own (the driver's timeout and busy_timeout are the same wait).
LOCK_TIMEOUT_SECONDS = 30
# How much longer than statement_timeout the client waits for a server that does not even
# cancel the statement (it is frozen or cut off) before it drops the connection.
ANSWER_MARGIN_SECONDS = 1.0


def make_engine(
    url: str, *, connect_timeout: float | None = None, statement_timeout: float | None = None
) -> Engine:
    """An engine; the timeouts (seconds, None: wait for ever) bound how long a request can
    hang on an unreachable or frozen PostgreSQL. SQLite is a local file: its writers wait
    for each other up to LOCK_TIMEOUT_SECONDS. Statement parameters never appear in error
    messages (they hold phone numbers, bodies and hashes)."""
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    return _postgres_engine(url, connect_timeout, statement_timeout)


def _postgres_engine(
    url: str, connect_timeout: float | None, statement_timeout: float | None
) -> Engine:
    connect_args: dict[str, Any] = {}
    if connect_timeout:
        connect_args["connect_timeout"] = max(1, math.ceil(connect_timeout))
    if statement_timeout:
        connect_args["options"] = f"-c statement_timeout={round(statement_timeout * 1000)}"
    engine = create_engine(
        url, pool_pre_ping=True, hide_parameters=True, connect_args=connect_args, **POOL
    )
    answer_within = statement_timeout + ANSWER_MARGIN_SECONDS if statement_timeout else None

    @event.listens_for(engine, "do_connect")
    def _connect(_dialect: Any, _record: Any, cargs: Any, cparams: Any) -> DeadlineConnection:
        connection = DeadlineConnection.connect(*cargs, **cparams)
        connection.answer_within = answer_within
        return connection

    return engine


class WriteLockBusy(sqlite3.OperationalError):
    """Other writers of this process held the write lock for longer than we would wait."""


class _QueuedWriter(sqlite3.Connection):
    """A SQLite connection whose write transactions also hold a lock shared by the process.

    SQLite lets one writer in at a time; the others poll with growing sleeps (up to 100 ms)
    until ``busy_timeout``, so under load the queue is unfair and its tail long. Threads of
    one process instead wait on this lock, and the next writer starts as soon as the last
    commits. Other processes on the same file still meet SQLite's own lock.
    """

    write_lock: threading.Lock | None = None
    _holding = False

    def hold_write_lock(self, wait: float = LOCK_TIMEOUT_SECONDS) -> None:
        if self.write_lock is None:
            return
        if not self.write_lock.acquire(timeout=wait):
            raise WriteLockBusy(f"database is locked: waited {wait:g} s for other writers")
        self._holding = True

    def release_write_lock(self) -> None:
        if self._holding and self.write_lock is not None:
            self._holding = False
            self.write_lock.release()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.release_write_lock()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.release_write_lock()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.release_write_lock()


_write_locks: dict[str, threading.Lock] = {}
_write_locks_guard = threading.Lock()


def _write_lock(path: str) -> threading.Lock:
    """One lock per database file, whichever engine of the process opens it."""
    with _write_locks_guard:
        return _write_locks.setdefault(os.path.realpath(path), threading.Lock())


def _sqlite_engine(url: str) -> Engine:
    in_memory = make_url(url).database in (None, "", ":memory:")
    engine = create_engine(
        url,
        connect_args={
            "check_same_thread": False,
            "timeout": LOCK_TIMEOUT_SECONDS,
            "factory": _QueuedWriter,
        },
        hide_parameters=True,
        **({"poolclass": StaticPool} if in_memory else POOL),
    )
    write_lock = None if in_memory else _write_lock(str(engine.url.database))

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, say when transactions begin.
        dbapi_connection.isolation_level = None
        dbapi_connection.write_lock = write_lock
        cursor = dbapi_connection.cursor()
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={LOCK_TIMEOUT_SECONDS * 1000}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Long reads (reports, exports, archive verify) ask for a plain snapshot instead, so
        # that in WAL mode they never hold the write lock (see ``reading``).
        options = connection.get_execution_options()
        if options.get(READ_ONLY):
            connection.exec_driver_sql("BEGIN")
            return
        writer = connection.connection.dbapi_connection
        writer.hold_write_lock(options.get(LOCK_WAIT, LOCK_TIMEOUT_SECONDS))
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            writer.release_write_lock()
            raise

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
    with engine.begin() as connection, _without_timeouts(connection):
        if connection.dialect.name == "postgresql":
            # Servers and workers all migrate on start: the second waits here, then finds
            # the schema current. (SQLite's BEGIN IMMEDIATE already serializes them.)
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


@contextmanager
def _without_timeouts(connection: Connection) -> Iterator[None]:
    """Migrations may take longer than any request should (and wait for one another)."""
    if connection.dialect.name != "postgresql":
        yield
        return
    connection.exec_driver_sql("SET LOCAL statement_timeout = 0")
    raw = connection.connection.dbapi_connection
    answer_within = getattr(raw, "answer_within", None)
    if isinstance(raw, DeadlineConnection):
        raw.answer_within = None
    try:
        yield
    finally:
        if isinstance(raw, DeadlineConnection):
            raw.answer_within = answer_within


def has_schema(engine: Engine) -> bool:
    return inspect(engine).has_table("alembic_version")


def migrations_current(conn: Connection) -> bool:
    """Whether the database is at every head of the migration scripts."""
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    applied = set(MigrationContext.configure(conn).get_current_heads())
    return applied == set(script.get_heads())
