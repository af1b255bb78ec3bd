"""A PostgreSQL connection that stops waiting for a server that stopped answering.

``statement_timeout`` makes a working server cancel a slow statement, but a server that is
frozen (stopped, swapping, cut off behind a firewall that drops packets) answers nothing,
and the kernel keeps acknowledging what is sent to it, so neither TCP keep-alives nor
``tcp_user_timeout`` end the wait. psycopg funnels every network wait of a connection through
``Connection.wait``; here that wait has a deadline, after which the connection is closed
(its state is unknown) and the caller gets an ``OperationalError``, which the pool treats as
a disconnect.
"""

from __future__ import annotations

from typing import Any, TypeVar

import psycopg
from psycopg.abc import PQGen
from psycopg.errors import _WaitTimeout

RV = TypeVar("RV")
WAIT_INTERVAL = 0.1  # psycopg's own: how often a wait wakes to notice interruptions


class DeadlineConnection(psycopg.Connection[Any]):
    answer_within: float | None = None
    """Seconds any one exchange with the server may take; None waits for ever."""

    def wait(
        self, gen: PQGen[RV], interval: float = WAIT_INTERVAL, timeout: float | None = None
    ) -> RV:
        if timeout is not None or self.answer_within is None:
            return super().wait(gen, interval, timeout)
        try:
            return super().wait(gen, interval, self.answer_within)
        except _WaitTimeout:
            self.pgconn.finish()
            raise psycopg.OperationalError(
                f"the database did not answer within {self.answer_within:g} s"
            ) from None
