"""A local HTTPS server that speaks Salesforce's REST wire format, for the connector's tests.

It answers the OAuth 2.0 username-password token request, and sObject upserts by external
id (``PATCH /services/data/vXX.X/sobjects/<Object>/<Field>/<value>``) with Salesforce's
bodies: 201 ``{"id", "success", "errors", "created": true}`` when created, 200 with
``"created": false`` when updated, and errors as ``[{"message", "errorCode"}]``. Tests can
queue failures, expire the session, and read every call it received.
"""

from __future__ import annotations

import json
import ssl
import subprocess
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

CLIENT_ID, CLIENT_SECRET = "3MVG9-consentline-test", "consumer-secret-1"
USERNAME, PASSWORD = "integration@northwind.example", "pw-and-security-token"


@dataclass
class Call:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class FakeOrgState:
    calls: list[Call] = field(default_factory=list)
    records: dict[tuple[str, str, str], dict[str, Any]] = field(default_factory=dict)
    failures: list[tuple[int, list[dict[str, str]]]] = field(default_factory=list)
    fail_after_saving: int = 0
    token_number: int = 0
    valid_tokens: set[str] = field(default_factory=set)


def make_certificate(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


class SalesforceServer:
    def __init__(self, cert: Path, key: Path) -> None:
        self.state = FakeOrgState()
        self.lock = threading.Lock()
        handler = type("Handler", (_Handler,), {"server_state": self.state, "lock": self.lock})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        handler.base = self.url  # type: ignore[attr-defined]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.httpd.server_address[1]}"

    def start(self) -> SalesforceServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def expire_sessions(self) -> None:
        with self.lock:
            self.state.valid_tokens.clear()

    def upserts(self) -> list[Call]:
        return [c for c in self.state.calls if c.method == "PATCH"]


class _Handler(BaseHTTPRequestHandler):
    server_state: FakeOrgState
    lock: threading.Lock
    base: str

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _send(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json;charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _read(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def do_POST(self) -> None:
        raw = self._read()
        form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
        state = self.server_state
        with self.lock:
            state.calls.append(Call("POST", self.path, dict(self.headers), form))
            if self.path != "/services/oauth2/token":
                self._send(404, [{"errorCode": "NOT_FOUND", "message": "not found"}])
                return
            good = (
                form.get("grant_type") == "password"
                and form.get("client_id") == CLIENT_ID
                and form.get("client_secret") == CLIENT_SECRET
                and form.get("username") == USERNAME
                and form.get("password") == PASSWORD
            )
            if not good:
                self._send(
                    400, {"error": "invalid_grant", "error_description": "authentication failure"}
                )
                return
            state.token_number += 1
            token = f"00DTEST!token{state.token_number}"
            state.valid_tokens.add(token)
            self._send(
                200,
                {
                    "access_token": token,
                    "instance_url": self.base,
                    "id": f"{self.base}/id/00DTEST/005TEST",
                    "token_type": "Bearer",
                    "issued_at": "1767603600000",
                    "signature": "c2lnbmF0dXJl",
                },
            )

    def do_PATCH(self) -> None:
        body = json.loads(self._read() or b"{}")
        state = self.server_state
        with self.lock:
            state.calls.append(Call("PATCH", self.path, dict(self.headers), body))
            token = self.headers.get("Authorization", "").removeprefix("Bearer ")
            if token not in state.valid_tokens:
                self._send(
                    401,
                    [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}],
                )
                return
            parts = self.path.split("/")
            # /services/data/v59.0/sobjects/<Object>/<Field>/<value>
            if len(parts) != 8 or parts[1:3] != ["services", "data"] or parts[4] != "sobjects":
                self._send(404, [{"errorCode": "NOT_FOUND", "message": "bad resource"}])
                return
            if state.failures:
                status, errors = state.failures.pop(0)
                self._send(status, errors)
                return
            key = (parts[5], parts[6], parts[7])
            created = key not in state.records
            record = state.records.setdefault(key, {"Id": f"a0B{len(state.records):015d}"})
            record.update(body)
            if state.fail_after_saving:
                state.fail_after_saving -= 1
                self._send(500, [{"errorCode": "UNKNOWN_EXCEPTION", "message": "timeout"}])
                return
            self._send(
                201 if created else 200,
                {"id": record["Id"], "success": True, "errors": [], "created": created},
            )
