"""Browser tests: the real application under uvicorn, driven by Debian's Chromium.

Each pytest-xdist worker starts its own server on a free loopback port, on its own SQLite
file; each test makes its own organization there, so tests do not see each other's changes.
"""

from __future__ import annotations

import itertools
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.sync_api import Page
from sqlalchemy import Engine

from consentline.app import create_app, utc_now
from consentline.config import Config
from consentline.service import orgs as org_service, settings as settings_service
from consentline.service.demo import SYSTEM
from consentline.service.unit_of_work import UnitOfWork
from consentline.store.db import make_engine, migrate

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PASSWORD = "portal password 1"
OPERATOR_EMAIL = "operator@provider.test"


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, Any]:
    return {"executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}}


@dataclass(frozen=True)
class Server:
    url: str
    engine: Engine


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    database_url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'portal.db'}"
    engine = make_engine(database_url)
    migrate(engine)
    with UnitOfWork(engine) as uow:
        org_service.add_user(
            uow, None, OPERATOR_EMAIL, "Olivia Operator", PASSWORD, [], utc_now(), is_operator=True
        )
        uow.commit()
    config = Config(database_url=database_url, secret_key="b" * 40, outbox_interval=0.2)
    app = create_app(config, engine=engine)
    port = _free_port()
    uv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=uv.run, name="portal-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started:
        assert time.monotonic() < deadline, "the portal server did not start"
        time.sleep(0.05)
    try:
        yield Server(f"http://127.0.0.1:{port}", engine)
    finally:
        uv.should_exit = True
        thread.join(timeout=10)
        engine.dispose()


@pytest.fixture(scope="session")
def base_url(server: Server) -> str:
    return server.url


_numbers = itertools.count(1)


@dataclass(frozen=True)
class Tenant:
    name: str
    root_id: int
    sub_id: int
    sub_name: str
    line: str
    employee: str
    admin: str
    viewer: str


def make_tenant(
    server: Server, *, entitled: bool = True, enabled: bool = True, mode: str = "consent"
) -> Tenant:
    """A fresh enterprise: main organization, a sub-organization, a line, two users."""
    tag = uuid.uuid4().hex[:6]
    name = f"Acme Wealth {tag}"
    line = f"+1555010{os.getpid() % 100:02d}{next(_numbers):02d}"
    now = utc_now()
    with UnitOfWork(server.engine) as uow:
        root = org_service.create_org(uow, SYSTEM, name, None, now)
        sub = org_service.create_org(uow, SYSTEM, "West Region", root.id, now)
        if entitled:
            org_service.set_entitlement(uow, SYSTEM, root.id, True, now)
            patch = {"sms_optin": {"enabled": enabled, "mode": mode}}
            settings_service.change_settings(uow, SYSTEM, root.id, patch, now)
        org_service.create_line(uow, SYSTEM, root.id, line, "Dana Whitfield", now)
        admin, viewer = f"admin-{tag}@acme.test", f"viewer-{tag}@acme.test"
        privileges = ["setup", "reports", "messaging"]
        org_service.create_user(
            uow, SYSTEM, root.id, admin, "Alex Admin", PASSWORD, privileges, now
        )
        org_service.create_user(
            uow, SYSTEM, root.id, viewer, "Val Viewer", PASSWORD, ["reports"], now
        )
    return Tenant(name, root.id, sub.id, "West Region", line, "Dana Whitfield", admin, viewer)


def settings_of(server: Server, org_id: int) -> dict[str, Any]:
    with UnitOfWork(server.engine) as uow:
        return settings_service.get_settings(uow, SYSTEM, org_id)


def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url)


@pytest.fixture(autouse=True)
def no_content_security_policy_violations(page: Page) -> Iterator[None]:
    """Our CSP allows only our own files: a page that breaks it fails its test."""
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    yield
    assert violations == []


def screenshot(page: Page, name: str) -> None:
    """Only when asked (``CONSENTLINE_TEST_SCREENSHOTS=1``): the README's screenshots come
    from ``scripts/screenshots``, on realistic demo data, not from test runs."""
    if os.environ.get("CONSENTLINE_TEST_SCREENSHOTS") != "1":
        return
    folder = SCREENSHOTS.parent / "test-screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
