"""One transaction per use case: ``with UnitOfWork(engine) as uow: ...; uow.commit()``."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy import Connection, Engine


class UnitOfWork:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._connection: Connection | None = None
        self._committed = False

    @property
    def connection(self) -> Connection:
        if self._connection is None:
            raise RuntimeError("the unit of work is not open")
        return self._connection

    @property
    def dialect(self) -> str:
        return self._engine.dialect.name

    def __enter__(self) -> UnitOfWork:
        self._connection = self._engine.connect()
        self._connection.begin()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        connection = self.connection
        try:
            if not self._committed and connection.in_transaction():
                connection.rollback()
        finally:
            connection.close()
            self._connection = None

    def commit(self) -> None:
        self.connection.commit()
        self._committed = True
