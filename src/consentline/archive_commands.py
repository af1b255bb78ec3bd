"""``consentline archive ...``: verify, checkpoint, export, retention and purge."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import Engine, select

from consentline.archive import admin, export
from consentline.archive.export import ExportRange
from consentline.cli_support import (
    CLI,
    SOURCE,
    CommandFailed,
    DatabaseUrl,
    engine_for,
    one_line_errors,
    progress_bar,
    writable_output,
)
from consentline.domain.errors import DomainError
from consentline.service import audit
from consentline.service.access import visible_org
from consentline.service.archive_verify import count_records, verify
from consentline.service.report_scope import scope_for
from consentline.service.unit_of_work import UnitOfWork
from consentline.store import checkpoints
from consentline.store.db import reading
from consentline.store.tables import orgs


class ExportFormat(StrEnum):
    JSONL = "jsonl"
    EML = "eml"


SUFFIX = {ExportFormat.JSONL: ".jsonl", ExportFormat.EML: ".zip"}

app = typer.Typer(help="The tamper-evident archive: verify, checkpoint, export, retention.")


def _roots(engine: Engine, org: int | None) -> list[int]:
    """The named organization's root (an unknown one is refused), or every root."""
    with reading(engine) as conn:
        if org is not None:
            return [visible_org(conn, CLI, org).root_id]
        query = select(orgs.c.id).where(orgs.c.parent_id.is_(None)).order_by(orgs.c.id)
        return [int(r) for r in conn.execute(query).scalars()]


@app.command("verify")
@one_line_errors
def verify_command(
    database_url: DatabaseUrl = None,
    quiet: Annotated[bool, typer.Option(help="No progress bar.")] = False,
) -> None:
    """Check every record's hash chain and the audit log's; exit 0 when intact, 1 naming
    the first bad record."""
    engine = engine_for(database_url)
    try:
        total = count_records(engine)
        with progress_bar("verifying", quiet=quiet) as bar:
            task = bar.add_task("records", total=total)
            result = verify(engine, lambda n: bar.advance(task, n))
    finally:
        engine.dispose()
    if result.problem is not None:
        typer.echo(f"TAMPERED: {result.problem}", err=True)
        raise typer.Exit(1)
    typer.echo(
        f"intact: {result.records} records in {result.conversations} conversations and "
        f"{result.audit_records} audit log records verified"
    )


@app.command("checkpoint")
@one_line_errors
def checkpoint_command(
    database_url: DatabaseUrl = None,
    org: Annotated[int | None, typer.Option(help="One organization (default: all).")] = None,
) -> None:
    """Seal every conversation chain of each root organization; print the checkpoint hashes."""
    engine = engine_for(database_url)
    try:
        now = datetime.now(UTC)
        roots = _roots(engine, org)
        with engine.begin() as conn:
            sealed_all = [checkpoints.seal(conn, root_id, now) for root_id in roots]
    finally:
        engine.dispose()
    for sealed in sealed_all:
        typer.echo(
            f"organization {sealed.root_id}: checkpoint {sealed.seq} over "
            f"{sealed.conversation_count} conversations, {sealed.record_count} records, "
            f"hash {sealed.hash}"
        )


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandFailed(f"{option} must be a date like 2026-01-31, not {value!r}") from None


@app.command("export")
@one_line_errors
def export_command(
    org: Annotated[int, typer.Option(help="Organization id (its children are included).")],
    output: Annotated[Path, typer.Option(help="File to write: .jsonl, or .zip for eml.")],
    export_format: Annotated[
        ExportFormat, typer.Option("--format", help="jsonl, or eml (a ZIP with a manifest).")
    ] = ExportFormat.JSONL,
    start: Annotated[str | None, typer.Option("--from", help="First day, UTC.")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last day, UTC.")] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Every message and consent event of an organization in a date range, for archivers."""
    when = ExportRange(_day(start, "--from"), _day(end, "--to"))
    wanted = SUFFIX[export_format]
    if output.suffix.lower() != wanted:
        raise CommandFailed(
            f"--format {export_format.value} writes a {wanted} file; name the output "
            f"{output.with_suffix(wanted).name}"
        )
    writable_output(output)
    engine = engine_for(database_url)
    try:
        with reading(engine) as conn:
            scope = scope_for(conn, CLI, org)
            rows = export.records(conn, scope, when)
            with export.finished_or_absent(output) as partial:
                if export_format is ExportFormat.JSONL:
                    with partial.open("w", encoding="utf-8") as out:
                        count = export.write_jsonl(rows, out)
                else:
                    count = export.write_eml_zip(rows, partial)
        with UnitOfWork(engine, source=SOURCE) as uow:
            target = visible_org(uow.connection, CLI, org)
            after = {
                "format": export_format.value,
                "from": start,
                "to": end,
                "records": count,
                "file": output.name,
            }
            audit.record(
                uow, CLI, "archive.exported", "org", org, None, after, at=_now(), org=target
            )
            uow.commit()
    finally:
        engine.dispose()
    typer.echo(f"exported {count} records to {output}")


def _now() -> datetime:
    return datetime.now(UTC)


@app.command("retention")
@one_line_errors
def retention_command(
    org: Annotated[int, typer.Option(help="Organization id (its main organization's policy).")],
    days: Annotated[int | None, typer.Option(help="Keep records this many days.")] = None,
    hold: Annotated[
        bool | None, typer.Option("--hold/--release", help="Place or release a legal hold.")
    ] = None,
    reason: Annotated[str | None, typer.Option(help="Why the legal hold (required).")] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Show or change an organization's retention period and legal hold."""
    engine = engine_for(database_url)
    try:
        with UnitOfWork(engine, source=SOURCE) as uow:
            if days is not None or hold is not None:
                admin.change_retention(
                    uow, CLI, org, _now(), days=days, legal_hold=hold, reason=reason
                )
            root, policy = admin.retention_of(uow, CLI, org)
    finally:
        engine.dispose()
    held = f"legal hold: {policy.legal_hold_reason}" if policy.legal_hold else "no legal hold"
    typer.echo(f"organization {root.id}: retention {policy.retention_days} days, {held}")


@app.command("purge")
@one_line_errors
def purge_command(
    org: Annotated[int | None, typer.Option(help="One organization (default: all).")] = None,
    dry_run: Annotated[bool, typer.Option(help="Only count what would be purged.")] = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Remove conversations past retention; organizations on legal hold are skipped (exit 3)."""
    engine = engine_for(database_url)
    failed = False
    try:
        for root_id in _roots(engine, org):
            try:
                with UnitOfWork(engine, source=SOURCE) as uow:
                    result = admin.purge(uow, CLI, root_id, _now(), dry_run=dry_run)
            except DomainError as error:
                typer.echo(f"organization {root_id}: skipped: {error.message}", err=True)
                failed = True
                continue
            verb = "would purge" if dry_run else "purged"
            typer.echo(
                f"organization {root_id}: {verb} {result.conversations} conversations"
                + ("" if dry_run else f", {result.records} records")
            )
    finally:
        engine.dispose()
    if failed:
        raise typer.Exit(3)
