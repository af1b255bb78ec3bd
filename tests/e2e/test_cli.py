"""The command line as a user runs it: bootstrap, demo, and serve answering over real HTTP."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx2 as httpx
import pytest

CONSENTLINE = [sys.executable, "-m", "consentline"]


def _run(*args: str, env_url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CONSENTLINE, *args, "--database-url", env_url],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_bootstrap_prints_one_json_line_with_a_working_operator_key(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'boot.db'}"
    result = _run(
        "bootstrap", "--email", "ops@example.com", "--password", "long-enough-pw", env_url=url
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    key = json.loads(lines[0])["operator_api_key"]
    assert key.startswith("cl_")


def test_bootstrap_refuses_a_short_password_clearly(tmp_path: Path) -> None:
    result = _run(
        "bootstrap",
        "--email",
        "ops@example.com",
        "--password",
        "short",
        env_url=f"sqlite:///{tmp_path / 'b.db'}",
    )
    assert result.returncode == 2
    assert "at least 10 characters" in result.stderr


@pytest.fixture
def demo_server(tmp_path: Path) -> Iterator[tuple[str, str, Callable[[], str]]]:
    port = _free_port()
    process = subprocess.Popen(
        [
            *CONSENTLINE,
            "serve",
            "--demo",
            "--port",
            str(port),
            "--database-url",
            f"sqlite:///{tmp_path / 'demo.db'}",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    printed: list[str] = []
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            printed.append(line)
            if "Application startup complete" in line:
                break
        else:
            pytest.fail("serve did not start: " + "".join(printed))
        text = "".join(printed)
        base = re.search(r"running at (http://\S+)", text)
        key = re.search(r"API key\s+: (cl_\S+)", text)
        assert base, text
        assert key, text
        assert "demo@consentline.test" in text

        def stop_and_read_logs() -> str:
            process.terminate()
            rest, _ = process.communicate(timeout=15)
            return text + rest

        yield base.group(1), key.group(1), stop_and_read_logs
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=15)


def test_serve_demo_answers_at_the_printed_url(
    demo_server: tuple[str, str, Callable[[], str]],
) -> None:
    base, key, _logs = demo_server
    assert httpx.get(f"{base}/healthz").json() == {"status": "ok"}
    assert 'href="/try"' in httpx.get(f"{base}/").text  # the landing page starts there

    auth = {"Authorization": f"Bearer {key}"}
    answer = httpx.post(
        f"{base}/api/v1/messages/inbound",
        headers=auth,
        json={"from": "+15550199001", "line": "+15550100001", "body": "Hi Dana"},
    )
    assert answer.status_code == 201
    assert answer.json()["status"] == "held"

    # The in-process worker sends the opt-in request without anyone asking it to.
    deadline = time.monotonic() + 10
    delivered: list[dict[str, str]] = []
    while time.monotonic() < deadline and len(delivered) < 2:
        delivered = httpx.get(
            f"{base}/api/v1/simulator/deliveries",
            headers=auth,
            params={"line": "+15550100001", "contact": "+15550199001"},
        ).json()["deliveries"]
        time.sleep(0.1)
    assert [d["side"] for d in delivered] == ["contact", "employee"]
    assert delivered[0]["body"].startswith("[Auto Message] You are trying to reach Dana Whitfield.")


def test_the_server_log_never_shows_a_whole_phone_number(
    demo_server: tuple[str, str, Callable[[], str]],
) -> None:
    base, key, stop_and_read_logs = demo_server
    auth = {"Authorization": f"Bearer {key}"}
    contact = "+15550199077"
    httpx.post(
        f"{base}/api/v1/messages/inbound",
        headers=auth,
        json={"from": contact, "line": "+15550100001", "body": "Hi"},
    )
    answer = httpx.get(
        f"{base}/api/v1/conversations",
        headers=auth,
        params={"line": "+15550100001", "contact": contact},
    )
    assert answer.status_code == 200
    # What serve printed for the user comes first; the log starts after start-up.
    logs = stop_and_read_logs().split("Application startup complete", 1)[1]
    assert "GET /api/v1/conversations?line=+*********01&contact=+*********77" in logs
    assert "5550199077" not in logs
    assert key not in logs


def test_serve_with_several_workers_on_sqlite_warns_and_still_serves(tmp_path: Path) -> None:
    port = _free_port()
    process = subprocess.Popen(
        [
            *CONSENTLINE,
            "serve",
            "--workers",
            "2",
            "--port",
            str(port),
            "--database-url",
            f"sqlite:///{tmp_path / 'several.db'}",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            pytest.fail("serve --workers 2 did not become ready")
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
    assert "use PostgreSQL for --workers above 1" in output


def test_demo_makes_its_api_key_once_per_database(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from consentline.app import create_app
    from consentline.config import Config
    from consentline.store.db import make_engine

    url = f"sqlite:///{tmp_path / 'demo-once.db'}"
    first = _run("demo", env_url=url)
    assert first.returncode == 0, first.stderr
    key = re.search(r"API key\s+: (cl_\S+)", first.stdout)
    assert key, first.stdout
    again = _run("demo", env_url=url)
    assert again.returncode == 0, again.stderr
    assert key.group(1) not in again.stdout
    assert f"the one printed at the first start ({key.group(1)[:8]}…)" in again.stdout
    assert "consentline demo --new-key" in again.stdout
    renewed = _run("demo", "--new-key", env_url=url)
    new_key = re.search(r"API key\s+: (cl_\S+)", renewed.stdout)
    assert new_key, renewed.stdout
    assert new_key.group(1) != key.group(1)

    engine = make_engine(url)
    app = create_app(Config(database_url=url), engine=engine, run_worker=False)
    with TestClient(app) as client:
        listed = client.get(
            "/api/v1/orgs/1/api-keys", headers={"Authorization": f"Bearer {new_key[1]}"}
        )
        assert listed.status_code == 200
        assert [k["revoked_at"] is None for k in listed.json()["items"]] == [False, True]
        old = client.get("/api/v1/orgs/1", headers={"Authorization": f"Bearer {key[1]}"})
        assert old.status_code == 401
    engine.dispose()
