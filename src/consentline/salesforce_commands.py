"""``consentline salesforce ...``: connect an organization, and push consent events."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Annotated

import typer

from consentline.cli_support import CLI, SOURCE, DatabaseUrl, engine_for, one_line_errors
from consentline.salesforce import sync
from consentline.salesforce.client import SalesforceSettings
from consentline.service import audit
from consentline.service.access import visible_org
from consentline.service.report_scope import scope_for
from consentline.service.unit_of_work import UnitOfWork

app = typer.Typer(help="Record consent events in each organization's Salesforce.")


def _now() -> datetime:
    return datetime.now(UTC)


@app.command("connect")
@one_line_errors
def connect_command(
    org: Annotated[int, typer.Option(help="Root organization id.")],
    username: Annotated[str, typer.Option(help="The integration user's username.")],
    password: Annotated[
        str,
        typer.Option(
            envvar="CONSENTLINE_SALESFORCE_PASSWORD",
            help="Password followed by the user's security token.",
        ),
    ],
    client_id: Annotated[str, typer.Option(help="The Connected App's consumer key.")],
    client_secret: Annotated[
        str,
        typer.Option(envvar="CONSENTLINE_SALESFORCE_CLIENT_SECRET", help="Its consumer secret."),
    ],
    login_url: Annotated[
        str, typer.Option(help="https://test.salesforce.com for a sandbox.")
    ] = "https://login.salesforce.com",
    sobject: Annotated[
        str, typer.Option("--object", help="The custom object that receives the events.")
    ] = sync.DEFAULT_OBJECT,
    external_id_field: Annotated[
        str, typer.Option(help="Its External ID field (the event id).")
    ] = sync.DEFAULT_EXTERNAL_ID,
    api_version: Annotated[str, typer.Option(help="Salesforce REST API version.")] = (
        sync.DEFAULT_VERSION
    ),
    database_url: DatabaseUrl = None,
) -> None:
    """Connect a root organization to a Salesforce org (replaces an earlier connection)."""
    settings = SalesforceSettings(
        login_url,
        api_version,
        client_id,
        client_secret,
        username,
        password,
        sobject,
        external_id_field,
    )
    engine = engine_for(database_url)
    try:
        with UnitOfWork(engine, source=SOURCE) as uow:
            conn = uow.connection
            root = scope_for(conn, CLI, org).root_id
            sync.connect(conn, root, settings, _now())
            # Where consent events go; never the password or the client secret.
            after = {"login_url": login_url, "username": username, "object": sobject}
            target = visible_org(conn, CLI, root)
            audit.record(
                uow, CLI, "salesforce.connected", "org", root, None, after, at=_now(), org=target
            )
            uow.commit()
    finally:
        engine.dispose()
    typer.echo(f"organization {root}: consent events go to {sobject} at {login_url} as {username}")


@app.command("retry")
@one_line_errors
def retry_command(
    org: Annotated[int, typer.Option(help="Root organization id.")],
    event: Annotated[
        int | None, typer.Option(help="Only this consent event (default: every dead one).")
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Send dead letters again (after fixing what Salesforce refused), tries from zero."""
    engine = engine_for(database_url)
    try:
        with UnitOfWork(engine, source=SOURCE) as uow:
            conn = uow.connection
            root = scope_for(conn, CLI, org).root_id
            count = sync.retry_dead(conn, root, _now(), event)
            after = {"events": count, **({"event": event} if event is not None else {})}
            target = visible_org(conn, CLI, root)
            audit.record(
                uow, CLI, "salesforce.retried", "org", root, None, after, at=_now(), org=target
            )
            uow.commit()
    finally:
        engine.dispose()
    typer.echo(f"organization {root}: {count} dead consent events due again")


@app.command("sync")
@one_line_errors
def sync_command(
    database_url: DatabaseUrl = None,
    every: Annotated[
        float | None, typer.Option(help="Keep running, one pass every this many seconds.")
    ] = None,
) -> None:
    """Send every due consent event to Salesforce (retries back off; none is sent twice)."""
    engine = engine_for(database_url)
    try:
        while True:
            result = sync.push_due(engine, _now)
            typer.echo(
                f"queued {result.enqueued}, sent {result.sent}, failed {result.failed}, "
                f"dead {result.dead}"
            )
            if every is None:
                break
            time.sleep(every)
    finally:
        engine.dispose()
