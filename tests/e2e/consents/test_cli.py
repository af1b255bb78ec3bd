"""``consentline consents import/export`` and ``dossier create`` as an operator runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from consentline.service.access import Principal
from consentline.service.consent_import import import_consents
from tests.e2e.consents.support import CONTACT, OTHER
from tests.e2e.support import state
from tests.helpers import Api

CONSENTLINE = [sys.executable, "-m", "consentline"]
HEADER = "line,contact,channel,state,decided_at,source_system,evidence\n"


def _run(*args: str, url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CONSENTLINE, *args, "--database-url", url],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_cli_imports_exports_and_signs(api: Api, database_url: str, tmp_path: Path) -> None:
    tenant = api.tenant()
    source = tmp_path / "old-system.csv"
    source.write_text(
        HEADER
        + f"{tenant.line},{CONTACT},sms,opted_out,2025-01-01T00:00:00Z,OldCRM,\n"
        + f"{tenant.line},{OTHER},sms,opted_out,,OldCRM,\n"
    )
    org = str(tenant.org_id)
    dry = _run("consents", "import", str(source), "--org", org, "--dry-run", url=database_url)
    assert dry.returncode == 0, dry.stderr
    assert json.loads(dry.stdout)["dry_run"] is True
    assert "(dry run: nothing changed)" in dry.stderr
    assert state(api, tenant, CONTACT) == "none"

    done = _run("consents", "import", str(source), "--org", org, url=database_url)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["applied"] == 2
    assert state(api, tenant, CONTACT) == "opted_out"

    exported = tmp_path / "suppression.csv"
    run = _run(
        "consents",
        "export",
        "--org",
        org,
        "--kind",
        "suppression",
        "--output",
        str(exported),
        url=database_url,
    )
    assert run.returncode == 0, run.stderr
    assert len(exported.read_text().splitlines()) == 3

    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + f"{tenant.line},not-a-number,sms,opted_out,,OldCRM,\n")
    refused = _run("consents", "import", str(bad), "--org", org, url=database_url)
    assert refused.returncode == 1
    assert json.loads(refused.stdout)["invalid"][0]["row"] == 2
    unreadable = tmp_path / "wrong.csv"
    unreadable.write_text("phone\n1\n")
    assert (
        _run("consents", "import", str(unreadable), "--org", org, url=database_url).returncode == 2
    )

    target = tmp_path / "dossier.zip"
    made = _run(
        "dossier",
        "create",
        "--org",
        org,
        "--contact",
        CONTACT,
        "--output",
        str(target),
        url=database_url,
    )
    assert made.returncode == 0, made.stderr
    key = api.call("GET", f"/api/v1/orgs/{tenant.org_id}/dossier-key", tenant.key, 200)
    checked = subprocess.run(
        [*CONSENTLINE, "dossier", "verify", str(target), "--public-key", key["public_key"]],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr


def test_rows_of_one_conversation_apply_in_file_order_across_batches(api: Api) -> None:
    tenant = api.tenant()
    api.clock.advance(days=1)
    rows = (
        HEADER
        + f"{tenant.line},{CONTACT},sms,opted_in,2026-01-05T10:00:00Z,A,form 1\n"
        + f"{tenant.line},{CONTACT},sms,opted_out,2026-01-05T11:00:00Z,A,\n"
        + f"{tenant.line},{OTHER},sms,opted_out,,A,\n"
        + f"{tenant.line},{CONTACT},sms,opted_out,2026-01-05T12:00:00Z,A,\n"
    )
    operator = Principal("test", None, frozenset(), is_operator=True)
    summary = import_consents(
        api.engine, operator, tenant.org_id, rows.encode(), api.clock(), batch=3
    )
    assert (summary.applied, summary.unchanged, summary.quarantined) == (3, 1, [])
    assert state(api, tenant, CONTACT) == "opted_out"
    history = api.call(
        "GET",
        "/api/v1/reports/consent-evidence",
        tenant.key,
        200,
        params={"line": tenant.line, "contact": CONTACT},
    )
    assert [h["new_state"] for h in history["history"]] == ["opted_in", "opted_out"]
    assert history["archive"]["intact"] is True
