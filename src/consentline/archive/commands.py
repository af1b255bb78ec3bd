"""``consentline archive ...``: verify, checkpoint, export, retention and purge."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from sqlalchemy import Engine, select

from consentline.archive import checkpoints, export, retention
from consentline.archive.export import ExportRange
from consentline.archive.verify import count_records, verify
from consentline.config import Config
from consentline.domain.errors import DomainError
from consentline.reports.sms_optin import scope_for
from consentline.service.access import Principal
from consentline.store.db import make_engine, migrate, reading
from consentline.store.tables import orgs

CLI = Principal("cli", None, frozenset(), is_operator=True)


class ExportFormat(StrEnum):
    JSONL = "jsonl"
    EML = "eml"


app = typer.Typer(help="The tamper-evident archive: verify, checkpoint, export, retention.")

DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="SQLAlchemy URL; default $CONSENTLINE_DATABASE_URL or sqlite:///consentline.db.",
    ),
]


def engine_for(database_url: str | None) -> Engine:
    try:
        config = Config(database_url=database_url) if database_url else Config()
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None
    engine = make_engine(config.database_url)
    migrate(engine)
    return engine


@app.command("verify")
def verify_command(
    database_url: DatabaseUrl = None,
    quiet: Annotated[bool, typer.Option(help="No progress bar.")] = False,
) -> None:
    """Check every record's hash chain; exit 0 when intact, 1 naming the first bad record."""
    engine = engine_for(database_url)
    total = count_records(engine)
    with Progress(
        TextColumn("verifying"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        disable=quiet,
        transient=True,
    ) as bar:
        task = bar.add_task("records", total=total)
        result = verify(engine, lambda n: bar.advance(task, n))
    engine.dispose()
    if result.problem is not None:
        typer.echo(f"TAMPERED: {result.problem}", err=True)
        raise typer.Exit(1)
    typer.echo(f"intact: {result.records} records in {result.conversations} conversations verified")


@app.command("checkpoint")
def checkpoint_command(
    database_url: DatabaseUrl = None,
    org: Annotated[int | None, typer.Option(help="One root organization (default: all).")] = None,
) -> None:
    """Seal every conversation chain of each root organization; print the checkpoint hashes."""
    engine = engine_for(database_url)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        roots = (
            [org]
            if org is not None
            else [r.id for r in conn.execute(select(orgs.c.id).where(orgs.c.parent_id.is_(None)))]
        )
        for root_id in roots:
            sealed = checkpoints.seal(conn, root_id, now)
            typer.echo(
                f"organization {root_id}: checkpoint {sealed.seq} over "
                f"{sealed.conversation_count} conversations, {sealed.record_count} records, "
                f"hash {sealed.hash}"
            )
    engine.dispose()


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{option} must be a date like 2026-01-31") from None


@app.command("export")
def export_command(
    org: Annotated[int, typer.Option(help="Organization id (its children are included).")],
    output: Annotated[Path, typer.Option(help="File to write (.jsonl, or .zip for eml).")],
    export_format: Annotated[
        ExportFormat, typer.Option("--format", help="jsonl, or eml (a ZIP with a manifest).")
    ] = ExportFormat.JSONL,
    start: Annotated[str | None, typer.Option("--from", help="First day, UTC.")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last day, UTC.")] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Every message and consent event of an organization in a date range, for archivers."""
    when = ExportRange(_day(start, "--from"), _day(end, "--to"))
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
    except DomainError as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(2) from None
    finally:
        engine.dispose()
    typer.echo(f"exported {count} records to {output}")


@app.command("retention")
def retention_command(
    org: Annotated[int, typer.Option(help="Root organization id.")],
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
        with engine.begin() as conn:
            root = scope_for(conn, CLI, org).root_id
            if days is not None or hold is not None:
                policy = retention.set_policy(
                    conn,
                    root,
                    "cli",
                    datetime.now(UTC),
                    retention_days=days,
                    legal_hold=hold,
                    reason=reason,
                )
            else:
                policy = retention.policy_for(conn, root)
    except DomainError as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(2) from None
    finally:
        engine.dispose()
    held = f"legal hold: {policy.legal_hold_reason}" if policy.legal_hold else "no legal hold"
    typer.echo(f"organization {root}: retention {policy.retention_days} days, {held}")


@app.command("purge")
def purge_command(
    org: Annotated[int | None, typer.Option(help="One root organization (default: all).")] = None,
    dry_run: Annotated[bool, typer.Option(help="Only count what would be purged.")] = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Remove conversations past retention; organizations on legal hold are skipped."""
    engine = engine_for(database_url)
    failed = False
    with engine.connect() as conn:
        roots = (
            [org]
            if org is not None
            else [r.id for r in conn.execute(select(orgs.c.id).where(orgs.c.parent_id.is_(None)))]
        )
        conn.rollback()
    for root_id in roots:
        try:
            with engine.begin() as conn:
                result = retention.purge(conn, root_id, datetime.now(UTC), dry_run=dry_run)
        except DomainError as error:
            typer.echo(f"organization {root_id}: skipped: {error.message}", err=True)
            failed = True
            continue
        verb = "would purge" if dry_run else "purged"
        typer.echo(
            f"organization {root_id}: {verb} {result.conversations} conversations"
            + ("" if dry_run else f", {result.records} records")
        )
    engine.dispose()
    if failed:
        raise typer.Exit(3)
