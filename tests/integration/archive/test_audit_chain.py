"""The audit log is chained like the archive: ``archive verify`` catches any tampering."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Connection, Engine, delete, select, update
from typer.testing import CliRunner

from consentline.cli import app
from consentline.service import audit, orgs as org_service
from consentline.service.archive_verify import verify
from consentline.service.demo import SYSTEM
from consentline.service.unit_of_work import UnitOfWork
from consentline.store.audit_tables import audit_heads, audit_log
from tests.helpers import FakeClock


@pytest.fixture
def logged(engine: Engine, clock: FakeClock) -> int:
    """An organization with a few audit records (and one in the log of no organization)."""
    with UnitOfWork(engine, source="api 127.0.0.1") as uow:
        org = org_service.create_org(uow, SYSTEM, "Northwind", None, clock())
    for number in range(4):
        clock.advance(minutes=1)
        with UnitOfWork(engine, source="portal 127.0.0.1") as uow:
            audit.record(
                uow,
                SYSTEM,
                "settings.changed",
                "org",
                org.id,
                {"hold_max_age": number},
                {"hold_max_age": number + 1},
                at=clock(),
                org=org,
            )
            uow.commit()
    with UnitOfWork(engine, source="cli") as uow:
        org_service.create_operator_key(uow, "ops", clock())
        uow.commit()
    return org.id


def _ids(conn: Connection, root_id: int) -> list[int]:
    query = select(audit_log.c.id).where(audit_log.c.root_id == root_id).order_by(audit_log.c.seq)
    return list(conn.execute(query).scalars())


def test_an_untouched_log_verifies(logged: int, engine: Engine) -> None:
    result = verify(engine)
    assert result.problem is None
    assert result.audit_records == 6
    with engine.connect() as conn:
        seqs = conn.execute(
            select(audit_log.c.seq).where(audit_log.c.root_id == logged).order_by(audit_log.c.id)
        ).scalars()
        assert list(seqs) == [1, 2, 3, 4, 5]


def _change_after(conn: Connection, root_id: int) -> str:
    target = _ids(conn, root_id)[2]
    conn.execute(update(audit_log).where(audit_log.c.id == target).values(after={"x": 1}))
    return f"audit_log id {target} (seq 3): the record was changed"


def _change_actor(conn: Connection, root_id: int) -> str:
    target = _ids(conn, root_id)[0]
    conn.execute(update(audit_log).where(audit_log.c.id == target).values(actor="someone else"))
    return f"audit_log id {target} (seq 1): the record was changed"


def _remove_middle(conn: Connection, root_id: int) -> str:
    target = _ids(conn, root_id)[1]
    conn.execute(delete(audit_log).where(audit_log.c.id == target))
    return "seq 2 is missing"


def _remove_newest(conn: Connection, root_id: int) -> str:
    conn.execute(delete(audit_log).where(audit_log.c.id == _ids(conn, root_id)[-1]))
    return "newest record(s) removed: the log ends at seq 4 of 5"


def _reorder(conn: Connection, root_id: int) -> str:
    """Swap two records' positions (and so their order)."""
    second, third = _ids(conn, root_id)[1:3]
    conn.execute(update(audit_log).where(audit_log.c.id == second).values(seq=-1))
    conn.execute(update(audit_log).where(audit_log.c.id == third).values(seq=2))
    conn.execute(update(audit_log).where(audit_log.c.id == second).values(seq=3))
    return "(seq 2): the record was changed, inserted or moved"


def _rewrite_head(conn: Connection, root_id: int) -> str:
    conn.execute(update(audit_heads).where(audit_heads.c.root_id == root_id).values(head="0" * 64))
    return "the log's newest hash differs from its head"


@pytest.mark.parametrize(
    "tamper",
    [_change_after, _change_actor, _remove_middle, _remove_newest, _reorder, _rewrite_head],
)
def test_tampering_is_detected_and_named(
    logged: int, engine: Engine, tamper: Callable[[Connection, int], str]
) -> None:
    with engine.begin() as conn:
        expected = tamper(conn, logged)
    problem = verify(engine).problem
    assert problem is not None
    assert problem.startswith(f"audit log of organization {logged}")
    assert expected in problem


def test_the_cli_reports_audit_records_and_tampering(
    logged: int, engine: Engine, database_url: str
) -> None:
    runner = CliRunner()
    ok = runner.invoke(app, ["archive", "verify", "--database-url", database_url, "--quiet"])
    assert ok.exit_code == 0, ok.output
    assert "6 audit log records verified" in ok.output
    with engine.begin() as conn:
        where = _change_after(conn, logged)
    bad = runner.invoke(app, ["archive", "verify", "--database-url", database_url])
    assert bad.exit_code == 1
    assert "TAMPERED: audit log of organization" in bad.output
    assert where in bad.output


def test_concurrent_writers_of_one_organization_take_turns_on_its_chain(
    engine: Engine, clock: FakeClock
) -> None:
    """Eight requests at once, each creating a key: every record lands, in one chain."""
    from concurrent.futures import ThreadPoolExecutor

    with UnitOfWork(engine) as uow:
        org = org_service.create_org(uow, SYSTEM, "Busy Bank", None, clock())

    def create_key(number: int) -> str:
        with UnitOfWork(engine, source="api 127.0.0.1") as uow:
            return org_service.create_api_key(
                uow, SYSTEM, org.id, f"key {number}", ["reports"], clock()
            )

    with ThreadPoolExecutor(max_workers=8) as pool:
        keys = list(pool.map(create_key, range(8)))
    assert len(set(keys)) == 8
    result = verify(engine)
    assert result.problem is None
    with engine.connect() as conn:
        seqs = conn.execute(
            select(audit_log.c.seq).where(audit_log.c.root_id == org.id).order_by(audit_log.c.seq)
        ).scalars()
        assert list(seqs) == list(range(1, 10))  # org.created, then the eight keys
