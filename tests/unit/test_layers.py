"""The import-linter contracts in pyproject.toml catch an import that runs upward.

``scripts/test`` runs ``lint-imports`` on the tree as it is; here each contract is shown to
fail on a copy of the package given one bad import, so a contract that checks nothing
(a typo in a layer name, a layer left out) is noticed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "consentline"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _copy(tmp_path: Path) -> Path:
    """A copy of the package's modules (not its templates and assets) under tmp_path."""
    copy = tmp_path / "src" / "consentline"
    shutil.copytree(
        PACKAGE, copy, ignore=shutil.ignore_patterns("static", "templates", "__pycache__")
    )
    return copy


def _lint(tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """lint-imports with the project's contracts on the copy, which comes first on the
    path, before the installed package."""
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", str(ROOT / "pyproject.toml")],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(tmp_path / "src")},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_tree_as_it_is_keeps_every_contract(tmp_path: Path) -> None:
    _copy(tmp_path)
    result = _lint(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract", "found"),
    [
        (
            "portal/home.py",
            "from consentline.api import errors",
            "Layers import downward only",
            "consentline.portal is not allowed to import consentline.api",
        ),
        (
            "reports/evidence.py",
            "from consentline.archive import export",
            "Layers import downward only",
            "consentline.reports is not allowed to import consentline.archive",
        ),
        (
            "service/webhooks.py",
            "from consentline.providers import twilio",
            "Layers import downward only",
            "consentline.service is not allowed to import consentline.providers",
        ),
        (
            "store/archive.py",
            "from consentline.service import archive_verify",
            "Layers import downward only",
            "consentline.store is not allowed to import consentline.service",
        ),
        (
            "service/messaging.py",
            "from consentline.config import Config",
            "Layers import downward only",
            "consentline.service is not allowed to import consentline.config",
        ),
        (
            "domain/policy.py",
            "import sqlalchemy",
            "The domain is plain Python",
            "consentline.domain is not allowed to import sqlalchemy",
        ),
        (
            "service/messaging.py",
            "import fastapi",
            "The store and the use cases know no web framework",
            "consentline.service is not allowed to import fastapi",
        ),
    ],
)
def test_an_import_that_runs_upward_breaks_its_contract(
    tmp_path: Path, module: str, line: str, contract: str, found: str
) -> None:
    target = _copy(tmp_path) / module
    target.write_text(target.read_text() + f"\n{line}  # noqa\n")
    result = _lint(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 broken" in result.stdout
    assert contract in result.stdout.split("Broken contracts")[1]
    assert found in result.stdout


def test_a_new_module_must_be_placed_in_a_layer(tmp_path: Path) -> None:
    (_copy(tmp_path) / "helpers.py").write_text('"""Placed in no layer."""\n')
    result = _lint(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "consentline.helpers" in result.stdout
