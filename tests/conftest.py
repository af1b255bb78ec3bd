"""Fixtures shared by every test tier: a migrated SQLite database, a clock, the API."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from consentline.app import create_app
from consentline.config import Config
from consentline.service import orgs as org_service
from consentline.service.unit_of_work import UnitOfWork
from consentline.store.db import make_engine, migrate
from tests.helpers import Api, FakeClock


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One database migrated once; each test gets a copy of the file."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    engine.dispose()
    return path


@pytest.fixture
def database_url(migrated_sqlite: Path, tmp_path: Path) -> str:
    path = tmp_path / "consentline.db"
    shutil.copy(migrated_sqlite, path)
    return f"sqlite:///{path}"


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
