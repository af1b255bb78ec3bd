"""The signed consent dossier (issue 15, point 5): built over the API, verified offline."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

from sqlalchemy import update

from consentline.domain.dossier_check import verify_dossier
from consentline.store.tables import messages
from tests.e2e.consents.support import CONTACT, import_csv, record
from tests.e2e.support import MT_REQUEST
from tests.helpers import Api, Tenant

HEADER = "line,contact,channel,state,decided_at,source_system,evidence\n"


def _key(api: Api, tenant: Tenant) -> bytes:
    import base64

    found = api.call("GET", f"/api/v1/orgs/{tenant.org_id}/dossier-key", tenant.key, 200)
    assert len(found["key_id"]) == 16
    return base64.b64decode(found["public_key"])


def _dossier(api: Api, tenant: Tenant, **params: str) -> bytes:
    response = api.client.get(
        f"/api/v1/orgs/{tenant.org_id}/consents/dossier",
        headers={"Authorization": f"Bearer {tenant.key}"},
        params={"contact": CONTACT, **params},
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    return response.content


def _history(api: Api, tenant: Tenant) -> None:
    """A keyword opt-in, a staff opt-out, then an imported opt-in from another system."""
    api.inbound(tenant, CONTACT, "Hello")
    api.inbound(tenant, CONTACT, "YES")
    api.clock.advance(hours=1)
    record(api, tenant, 201, state="opted_out", method="letter", note="Letter of 3 Jan")
    api.clock.advance(hours=1)
    moment = api.clock().isoformat().replace("+00:00", "Z")
    row = f"{tenant.line},{CONTACT},sms,opted_in,{moment},BranchCRM,signed form 42\n"
    assert import_csv(api, tenant, HEADER + row, allow_opt_in="true")["applied"] == 1


def _rezip(data: bytes, name: str, change: bytes, into: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.namelist():
            content = source.read(item)
            if item == name:
                assert change in content
                content = content.replace(change, into, 1)
            target.writestr(item, content)
    return out.getvalue()


def test_a_dossier_proves_every_decision_and_verifies_offline(api: Api) -> None:
    tenant = api.tenant()
    _history(api, tenant)
    data = _dossier(api, tenant)
    result = verify_dossier(data, _key(api, tenant))
    assert result.problems == []
    assert result.conversations == 1
    archive = zipfile.ZipFile(io.BytesIO(data))
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["contact"] == CONTACT
    html = archive.read("dossier.html").decode()
    assert MT_REQUEST.replace("<", "&lt;") in html or MT_REQUEST in html
    assert "Letter of 3 Jan" in html
    assert "signed form 42" in html
    assert "BranchCRM" in html
    events = [
        r["fields"]
        for r in manifest["conversations"][0]["records"]
        if r["table"] == "consent_events"
    ]
    assert [e["new_state"] for e in events] == ["pending", "opted_in", "opted_out", "opted_in"]
    assert [e.get("source") for e in events] == [None, None, "staff", "import"]
    assert verify_dossier(_dossier(api, tenant, line=tenant.line), _key(api, tenant)).valid


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_one_changed_byte_fails_verification(api: Api) -> None:
    tenant = api.tenant()
    _history(api, tenant)
    data = _dossier(api, tenant)
    key = _key(api, tenant)
    middle = len(data) // 2
    assert not verify_dossier(
        data[:middle] + bytes([data[middle] ^ 1]) + data[middle + 1 :], key
    ).valid
    # A changed byte anywhere is an answer, never an error from the ZIP or deflate readers:
    # refused with a reason, or, where the byte is ZIP bookkeeping that carries none of the
    # content (a timestamp, a local header's copy of a checksum), the same content.
    refused = 0
    for at in range(len(data)):
        flipped = data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]
        result = verify_dossier(flipped, key)
        if result.valid:
            assert _members(flipped) == _members(data), at
        else:
            assert result.problems, at
            refused += 1
    assert refused > len(data) * 0.9
    manifest = _rezip(data, "manifest.json", b"signed form 42", b"signed form 43")
    assert verify_dossier(manifest, key).problems == [
        "the signature does not match: the manifest was changed"
    ]
    page = _rezip(data, "dossier.html", b"Letter of 3 Jan", b"Letter of 4 Jan")
    assert verify_dossier(page, key).problems == [
        "dossier.html differs from the one the manifest signed"
    ]


def test_a_dossier_signed_by_another_organizations_key_fails(api: Api) -> None:
    tenant = api.tenant()
    other = api.tenant(company="Other Bank", line="+15550009999")
    _history(api, tenant)
    problems = verify_dossier(_dossier(api, tenant), _key(api, other)).problems
    assert len(problems) == 1
    assert problems[0].startswith("signed by another key")


def test_a_record_changed_in_the_database_shows_in_the_dossier(api: Api) -> None:
    tenant = api.tenant()
    _history(api, tenant)
    with api.engine.begin() as conn:
        conn.execute(update(messages).where(messages.c.body == "YES").values(body="NO"))
    problems = verify_dossier(_dossier(api, tenant), _key(api, tenant)).problems
    assert len(problems) == 1
    assert "hash mismatch" in problems[0]


def test_the_cli_verifies_and_names_what_fails(api: Api, tmp_path: Path) -> None:
    import base64

    tenant = api.tenant()
    _history(api, tenant)
    good = tmp_path / "dossier.zip"
    good.write_bytes(_dossier(api, tenant))
    key = base64.b64encode(_key(api, tenant)).decode()
    command = [sys.executable, "-m", "consentline", "dossier", "verify"]
    ok = subprocess.run([*command, str(good), "--public-key", key], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("valid: signature and")
    bad = tmp_path / "changed.zip"
    bad.write_bytes(_rezip(good.read_bytes(), "dossier.html", b"BranchCRM", b"BranchCRX"))
    failed = subprocess.run(
        [*command, str(bad), "--public-key", key], capture_output=True, text=True
    )
    assert failed.returncode == 1
    assert "INVALID: dossier.html differs" in failed.stderr
