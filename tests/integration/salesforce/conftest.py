"""A local Salesforce (HTTPS, self-signed) and a session that trusts it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.integration.salesforce.server import SalesforceServer, make_certificate


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return make_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def salesforce(certificate: tuple[Path, Path]) -> Iterator[SalesforceServer]:
    server = SalesforceServer(*certificate).start()
    yield server
    server.stop()


@pytest.fixture
def trusting_session(certificate: tuple[Path, Path]) -> Iterator[requests.Session]:
    session = requests.Session()
    session.verify = str(certificate[0])
    session.trust_env = False  # REQUESTS_CA_BUNDLE and proxies in the environment would win
    yield session
    session.close()
