"""Wrong passwords sent all at once are counted one after another: no more are checked
than the throttle allows (on PostgreSQL the count is held under an advisory lock; SQLite's
write lock serializes it)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import Engine

from consentline.domain import sign_in_throttle
from consentline.domain.errors import DomainError
from consentline.service import orgs as org_service
from consentline.service.sign_in import TooManyAttempts, sign_in
from consentline.service.unit_of_work import UnitOfWork
from tests.helpers import FakeClock

ATTEMPTS = 30


def test_simultaneous_wrong_passwords_are_checked_no_more_than_the_limit(
    engine: Engine, clock: FakeClock
) -> None:
    with UnitOfWork(engine) as uow:
        org_service.add_user(
            uow, None, "ada@example.test", "Ada", "the right password", [], clock()
        )
        uow.commit()
    start = threading.Barrier(ATTEMPTS)
    codes: list[str] = []

    def attempt(index: int) -> None:
        start.wait()
        with UnitOfWork(engine) as uow:
            try:
                sign_in(
                    uow,
                    "ada@example.test",
                    "wrong password",
                    clock(),
                    client_host=f"10.0.0.{index}",
                )
            except DomainError as error:
                codes.append(error.code)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(ATTEMPTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert len(codes) == ATTEMPTS
    assert codes.count("wrong_credentials") == sign_in_throttle.FREE_ATTEMPTS
    assert codes.count("too_many_attempts") == ATTEMPTS - sign_in_throttle.FREE_ATTEMPTS
    # And the right password is held back too, until the wait is over.
    with UnitOfWork(engine) as uow, pytest.raises(TooManyAttempts):
        sign_in(uow, "ada@example.test", "the right password", clock(), client_host=None)
