"""Which database failures are the database's state (down, frozen, full, busy) rather than
a bug: those are answered 503 with Retry-After, and the work is tried again later."""

from __future__ import annotations

import sqlite3

import psycopg
from sqlalchemy import exc

DATABASE_ERRORS: tuple[type[Exception], ...] = (exc.SQLAlchemyError, sqlite3.Error, psycopg.Error)
"""What a database operation may raise (the drivers' own errors escape SQLAlchemy when
raised in its connection events)."""
_SQLITE_UNAVAILABLE = ("disk is full", "database is locked", "disk i/o error", "unable to open")


def database_unavailable(error: BaseException) -> bool:
    """The database cannot be reached, did not answer in time, is full or is locked."""
    if isinstance(error, exc.DBAPIError):
        if error.connection_invalidated:
            return True
        error = error.orig if error.orig is not None else error
    if isinstance(error, exc.TimeoutError):  # no pooled connection came free in time
        return True
    if isinstance(error, sqlite3.OperationalError):
        return any(part in str(error).lower() for part in _SQLITE_UNAVAILABLE)
    # Connection failures, timeouts and cancelled statements, a full disk, server shutdown,
    # too many connections (all OperationalError), a read-only standby, a deadlock.
    return isinstance(
        error,
        psycopg.OperationalError
        | psycopg.InterfaceError
        | psycopg.errors.ReadOnlySqlTransaction
        | psycopg.errors.TransactionRollback,
    )


def value_not_storable(error: BaseException) -> bool:
    """A value the database refused (out of range, a NUL byte in text): bad input that
    validation should have caught."""
    return isinstance(error, exc.DataError) or (
        isinstance(error, exc.StatementError) and isinstance(error.orig, UnicodeEncodeError)
    )


def conflicting_write(error: BaseException) -> bool:
    """A constraint refused a write (two requests raced to create the same thing)."""
    return isinstance(error, exc.IntegrityError)
