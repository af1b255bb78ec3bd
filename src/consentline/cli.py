"""The ``consentline`` command: serve, bootstrap, demo."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from consentline import archive_commands, salesforce_commands
from consentline.app import build_app, outbox_worker, utc_now
from consentline.cli_support import (
    CLI,
    SOURCE,
    CommandFailed,
    config_for,
    one_line_errors,
    open_database,
)
from consentline.config import Config
from consentline.consent_commands import consents, dossiers
from consentline.listener import with_tcp_protocol
from consentline.observability import logging_config
from consentline.service import orgs as org_service
from consentline.service.demo import Demo, seed_demo
from consentline.service.unit_of_work import UnitOfWork

app = typer.Typer(help="ConsentLine: an opt-in policy gateway for business texting.")
app.add_typer(archive_commands.app, name="archive")
app.add_typer(salesforce_commands.app, name="salesforce")
app.add_typer(consents, name="consents")
app.add_typer(dossiers, name="dossier")

DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="SQLAlchemy URL; default $CONSENTLINE_DATABASE_URL or sqlite:///consentline.db.",
    ),
]


def _config(database_url: str | None) -> Config:
    return config_for(database_url)


def _seed_demo(config: Config, *, new_key: bool = False) -> Demo:
    engine = open_database(config.database_url, may_create=True)
    try:
        with UnitOfWork(engine, source=SOURCE) as uow:
            return seed_demo(uow, utc_now(), new_key=new_key)
    finally:
        engine.dispose()


def _print_demo(demo: Demo, url: str | None) -> None:
    line, employee = demo.lines[0]
    base = url or "http://127.0.0.1:8000"
    if url:
        typer.echo(f"ConsentLine is running at {url}")
    typer.echo(f"  Start here        : {base}/try  (Try it: two phones, in the portal)")
    typer.echo(f"  Demo organization : Acme Wealth (id {demo.org_id}), with West Region")
    typer.echo(f"  Lines             : {line} ({employee}), {demo.lines[1][0]}")
    typer.echo(f"  Portal login      : {demo.email} / {demo.password}")
    if demo.api_key:
        key = demo.api_key
        typer.echo(f"  API key           : {key}  (shown once: keep it)")
    else:
        key = "<the demo API key>"
        typer.echo(
            f"  API key           : the one printed at the first start ({demo.api_key_prefix}…); "
            "lost it? `consentline demo --new-key` replaces it"
        )
    typer.echo("  Try it            : a contact texts the line, and is asked to opt in:")
    typer.echo(
        f"    curl -s -X POST {base}/api/v1/messages/inbound "
        f"-H 'Authorization: Bearer {key}' -H 'Content-Type: application/json' "
        f'-d \'{{"from": "{demo.contact}", "line": "{line}", "body": "Hi Dana"}}\''
    )


@app.command()
@one_line_errors
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    database_url: DatabaseUrl = None,
    demo: Annotated[bool, typer.Option(help="Create the demo organization first.")] = False,
    workers: Annotated[
        int, typer.Option(min=1, max=64, help="Server processes (use PostgreSQL for more than 1).")
    ] = 1,
) -> None:
    """Run the gateway (migrating the database first) with its outbox worker."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    config = _config(database_url)
    url = f"http://{host}:{port}"
    if demo:
        _print_demo(_seed_demo(config), url)
    else:
        typer.echo(f"ConsentLine is running at {url}")
    log_config = logging_config(config.log_format)
    if workers == 1:
        uvicorn.run(build_app(config), host=host, port=port, log_config=log_config)
        return
    if config.database_url.startswith("sqlite"):
        typer.echo(
            "warning: several processes on one SQLite file take turns on its lock by "
            "polling; use PostgreSQL for --workers above 1 (see docs/performance.md)",
            err=True,
        )
    # Several processes: migrate once here, then each worker builds the app from the
    # environment without migrating; metrics are summed over the processes.
    open_database(config.database_url, may_create=True).dispose()
    os.environ["CONSENTLINE_DATABASE_URL"] = config.database_url
    _fresh_metrics_dir()
    processes = uvicorn.Config(
        "consentline.app:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=log_config,
    )
    # What uvicorn.run does for several workers, with the listener declared as TCP.
    Multiprocess(processes, sockets=[with_tcp_protocol(processes.bind_socket())]).run()


def _fresh_metrics_dir() -> None:
    """Processes of several workers share metrics through files in one directory, which
    must start empty (files of an earlier run would be summed in)."""
    given = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not given:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="consentline-metrics-")
        return
    folder = Path(given)
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):
        stale.unlink()


@app.command()
@one_line_errors
def bootstrap(
    database_url: DatabaseUrl = None,
    email: Annotated[str | None, typer.Option(help="Also create an operator login.")] = None,
    password: Annotated[str | None, typer.Option(help="Password of that login.")] = None,
) -> None:
    """Create the database if need be, and the operator; print its API key as one JSON line."""
    if (email is None) != (password is None):
        raise CommandFailed("give --email and --password together")
    engine = open_database(database_url, may_create=True)
    try:
        with UnitOfWork(engine, source=SOURCE) as uow:
            now = utc_now()
            if email is not None and password is not None:
                org_service.add_user(
                    uow, None, email, "Operator", password, [], now, is_operator=True, actor=CLI
                )
            key = org_service.create_operator_key(uow, "operator", now, actor=CLI)
            uow.commit()
    finally:
        engine.dispose()
    typer.echo(json.dumps({"operator_api_key": key}))


@app.command()
@one_line_errors
def demo(
    database_url: DatabaseUrl = None,
    new_key: Annotated[
        bool, typer.Option("--new-key", help="Revoke the demo API key and print a new one.")
    ] = False,
) -> None:
    """Create the demo organization and its API key (once per database) and print them."""
    _print_demo(_seed_demo(_config(database_url), new_key=new_key), None)


@app.command()
@one_line_errors
def worker(database_url: DatabaseUrl = None) -> None:
    """Run the outbox worker as its own process (with CONSENTLINE_RUN_WORKER=false on the
    servers, or beside them: workers lease items, so several may run at once)."""
    import logging.config
    import signal

    config = _config(database_url)
    engine = open_database(config.database_url)
    logging.config.dictConfig(logging_config(config.log_format))
    running = outbox_worker(engine, config)
    signal.signal(signal.SIGTERM, lambda *_: running.stop())
    typer.echo("ConsentLine outbox worker running", err=True)
    try:
        running.run()
    except KeyboardInterrupt:
        pass
    finally:
        engine.dispose()
