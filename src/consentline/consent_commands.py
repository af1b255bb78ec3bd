"""``consentline consents ...`` (import, export) and ``consentline dossier ...`` (create,
verify)."""

from __future__ import annotations

import getpass
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from consentline.cli_support import DatabaseUrl, engine_for, progress_bar
from consentline.config import Config
from consentline.domain.dossier_check import read_public_key, verify_dossier
from consentline.domain.errors import DomainError
from consentline.reports import dossier
from consentline.service.access import Principal
from consentline.service.consent_export import ExportKind, export_lines
from consentline.service.consent_import import import_consents
from consentline.store.db import reading

consents = typer.Typer(help="Consent decisions: import from another system, export.")
dossiers = typer.Typer(help="Signed consent dossiers: create one, verify one offline.")

OrgOption = Annotated[int, typer.Option("--org", help="The organization's id.")]


def _cli_principal() -> Principal:
    # Archived as who imported: the operating-system user who ran the command.
    return Principal(f"cli:{getpass.getuser()}", None, frozenset(), is_operator=True)


def _region() -> str:
    try:
        return Config().default_region
    except ValueError:
        return "US"


@consents.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="The CSV file.")],
    org: OrgOption,
    database_url: DatabaseUrl = None,
    dry_run: Annotated[bool, typer.Option(help="Check and count; change nothing.")] = False,
    allow_opt_in: Annotated[
        bool, typer.Option(help="Let rows opt in contacts who opted out.")
    ] = False,
    quiet: Annotated[bool, typer.Option(help="No progress bar.")] = False,
) -> None:
    """Import consent decisions; prints the summary as JSON. Exit 1 when rows are invalid
    (then nothing is applied), 2 when the file cannot be read."""
    engine = engine_for(database_url)
    data = file.read_bytes()
    with progress_bar("importing", quiet=quiet) as bar:
        task = bar.add_task("rows", total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, total=total, advance=done)

        try:
            summary = import_consents(
                engine,
                _cli_principal(),
                org,
                data,
                datetime.now(UTC),
                dry_run=dry_run,
                allow_opt_in=allow_opt_in,
                region=_region(),
                progress=advance,
            )
        except DomainError as error:
            typer.echo(f"error: {error.message}", err=True)
            raise typer.Exit(2) from None
        finally:
            engine.dispose()
    result = summary.as_json()
    typer.echo(json.dumps(result, indent=1))
    typer.echo(
        f"applied {summary.applied}, unchanged {summary.unchanged}, "
        f"quarantined {len(summary.quarantined)}, invalid {len(summary.invalid)}"
        + (" (dry run: nothing changed)" if summary.dry_run else ""),
        err=True,
    )
    if summary.invalid:
        typer.echo("nothing was applied: correct the invalid rows and import again", err=True)
        raise typer.Exit(1)


@consents.command("export")
def export_command(
    org: OrgOption,
    database_url: DatabaseUrl = None,
    kind: Annotated[ExportKind, typer.Option(help="ledger or suppression.")] = ExportKind.LEDGER,
    output: Annotated[Path | None, typer.Option(help="Write here instead of stdout.")] = None,
) -> None:
    """The consent ledger or the suppression list as CSV (it imports back to the same state)."""
    engine = engine_for(database_url)
    try:
        with reading(engine) as conn:
            chunks = export_lines(conn, _cli_principal(), org, kind)
            if output is None:
                for chunk in chunks:
                    typer.echo(chunk, nl=False)
            else:
                with output.open("w", encoding="utf-8", newline="") as handle:
                    handle.writelines(chunks)
    except DomainError as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(2) from None
    finally:
        engine.dispose()


@dossiers.command("create")
def create_command(
    org: OrgOption,
    contact: Annotated[str, typer.Option(help="The contact's number.")],
    line: Annotated[str | None, typer.Option(help="One line; every line when absent.")] = None,
    output: Annotated[Path | None, typer.Option(help="The ZIP to write.")] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Write the signed consent dossier of one contact."""
    engine = engine_for(database_url)
    try:
        name, data = dossier.build(
            engine, _cli_principal(), org, contact, line, datetime.now(UTC), _region()
        )
    except DomainError as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(2) from None
    finally:
        engine.dispose()
    target = output or Path(name)
    target.write_bytes(data)
    typer.echo(str(target))


@dossiers.command("verify")
def verify_command(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="The dossier ZIP.")],
    public_key: Annotated[
        str,
        typer.Option(
            help="The organization's public key (base64, from GET /api/v1/orgs/{id}/dossier-key)"
            " or a file holding it."
        ),
    ],
) -> None:
    """Check the signature and every chain proof, offline. Exit 0 when valid, 1 naming
    what fails."""
    text = public_key
    candidate = Path(public_key)
    if len(public_key) < 200 and candidate.is_file():
        text = candidate.read_text()
    try:
        key = read_public_key(text)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None
    result = verify_dossier(file.read_bytes(), key)
    if not result.valid:
        for problem in result.problems:
            typer.echo(f"INVALID: {problem}", err=True)
        raise typer.Exit(1)
    typer.echo(
        f"valid: signature and {result.records} records in "
        f"{result.conversations} conversation(s) verified"
    )
