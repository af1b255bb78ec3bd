"""Fixtures shared by every test tier: a migrated SQLite database, a clock, the API."""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine

from consentline.app import create_app
from consentline.config import Config
from consentline.service import orgs as org_service
from consentline.service.unit_of_work import UnitOfWork
from consentline.store.db import make_engine, migrate
from tests.helpers import Api, FakeClock
from tests.postgres import PostgresServer

# Every test that uses a database runs on each of these; CONSENTLINE_TEST_DATABASES narrows it.
DATABASES = os.environ.get("CONSENTLINE_TEST_DATABASES", "sqlite,postgresql").split(",")


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One database migrated once; each test gets a copy of the file."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the whole run, with a migrated template database."""
    server = PostgresServer().start()
    try:
        admin = create_engine(server.url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql("CREATE DATABASE consentline_template")
        admin.dispose()
        template = make_engine(server.url("consentline_template"))
        migrate(template)
        template.dispose()
        yield server
    finally:
        server.stop()


_database_counter = itertools.count()


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, migrated database for one test: a SQLite file, or a PostgreSQL database."""
    if request.param == "sqlite":
        path = tmp_path / "consentline.db"
        shutil.copy(request.getfixturevalue("migrated_sqlite"), path)
        return f"sqlite:///{path}"
    server: PostgresServer = request.getfixturevalue("postgres")
    name = f"test_{os.getpid()}_{next(_database_counter)}"
    admin = create_engine(server.url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name} TEMPLATE consentline_template")
    admin.dispose()
    return server.url(name)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def operator_key(engine: Engine, clock: FakeClock) -> str:
    with UnitOfWork(engine) as uow:
        key = org_service.create_operator_key(uow, "operator", clock())
        uow.commit()
    return key


@pytest.fixture
def client(engine: Engine, clock: FakeClock, database_url: str) -> Iterator[TestClient]:
    app = create_app(
        Config(database_url=database_url), engine=engine, clock=clock, run_worker=False
    )
    with TestClient(app) as client:
        yield client


@pytest.fixture
def api(client: TestClient, engine: Engine, clock: FakeClock, operator_key: str) -> Api:
    return Api(client, engine, clock, operator_key)
