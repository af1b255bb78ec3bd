"""A portal client on the real application and a fresh database (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from consentline.app import create_app
from consentline.config import Config
from tests.helpers import FakeClock
from tests.integration.portal.support import Portal, PortalTenant, make_tenant


@pytest.fixture
def portal_app(engine: Engine, clock: FakeClock, database_url: str) -> Iterator[TestClient]:
    config = Config(database_url=database_url, secret_key="k" * 40)
    app = create_app(config, engine=engine, clock=clock, run_worker=False)
    with TestClient(app) as client:
        yield client


@pytest.fixture
def portal(portal_app: TestClient) -> Portal:
    return Portal(portal_app)


@pytest.fixture
def tenant(engine: Engine, clock: FakeClock) -> PortalTenant:
    return make_tenant(engine, clock, "Acme Wealth")
