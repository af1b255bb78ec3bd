"""One transaction per use case: ``with UnitOfWork(engine) as uow: ...; uow.commit()``."""

from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType

from sqlalchemy import Connection, Engine

from consentline.store.db import reading


class UnitOfWork:
    """The transaction begins when the use case first touches the database, not on entry,
    and its connection goes back to the pool on commit, not on exit.

    A web request enters its unit of work in one thread-pool call, runs the endpoint in
    another, and validates its response in a third. Holding the connection (and SQLite's
    write lock) across those calls deadlocks under load: every pool thread can be waiting
    for a connection held by a request that waits for a thread.
    """

    def __init__(self, engine: Engine, *, read_only: bool = False, source: str = "") -> None:
        """``read_only``: a use case that only reads (a GET) takes a plain snapshot, which
        on SQLite never holds the write lock that write transactions take from the start.
        ``source``: where the use case was asked from (``api 10.0.0.7``, ``portal …``,
        ``cli``), as the audit log records it."""
        self._engine = engine
        self._read_only = read_only
        self.source = source
        self._connection: Connection | None = None
        self._open = False

    @property
    def connection(self) -> Connection:
        if not self._open:
            raise RuntimeError("the unit of work is not open")
        if self._connection is None:
            connection = reading(self._engine) if self._read_only else self._engine.connect()
            try:
                connection.begin()
            except BaseException:
                connection.close()
                raise
            self._connection = connection
        return self._connection

    @property
    def holds_connection(self) -> bool:
        """Whether a transaction was begun and neither committed nor closed yet."""
        return self._connection is not None

    @property
    def dialect(self) -> str:
        return self._engine.dialect.name

    def __enter__(self) -> UnitOfWork:
        self._open = True
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        connection, self._connection, self._open = self._connection, None, False
        if connection is not None:
            connection.close()  # rolls back what was not committed

    def rollback(self) -> None:
        """Undo what this unit of work wrote; the next use of ``connection`` begins anew."""
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()  # rolls back

    def commit(self) -> None:
        """Commit, and give the connection back to the pool at once: a web request still
        has its response to build, and that may wait for a thread held by a request
        that is itself waiting for a connection."""
        connection, self._connection = self._connection, None
        if connection is None:  # nothing was read or written
            return
        try:
            connection.commit()
        finally:
            connection.close()


@dataclass(frozen=True)
class UnitsOfWork:
    """Where a use case that really needs several transactions (one per part of a carrier's
    notification, one per conversation of a sweep) gets each of them."""

    engine: Engine
    source: str = ""

    def __call__(self, *, read_only: bool = False) -> UnitOfWork:
        return UnitOfWork(self.engine, read_only=read_only, source=self.source)
