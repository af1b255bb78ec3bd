"""The ``consentline`` command: serve, bootstrap, demo."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from consentline.app import build_app, utc_now
from consentline.archive import commands as archive_commands
from consentline.config import Config
from consentline.consent_commands import consents, dossiers
from consentline.domain.errors import DomainError
from consentline.listener import with_tcp_protocol
from consentline.observability import logging_config
from consentline.salesforce import commands as salesforce_commands
from consentline.service import orgs as org_service
from consentline.service.demo import Demo, seed_demo
from consentline.service.unit_of_work import UnitOfWork
from consentline.store.db import make_engine, migrate

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
    try:
        return Config(database_url=database_url) if database_url else Config()
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None


def _seed_demo(config: Config) -> Demo:
    engine = make_engine(config.database_url)
    migrate(engine)
    with UnitOfWork(engine) as uow:
        demo = seed_demo(uow, utc_now())
    engine.dispose()
    return demo


def _print_demo(demo: Demo, url: str | None) -> None:
    line, employee = demo.lines[0]
    base = url or "http://127.0.0.1:8000"
    if url:
        typer.echo(f"ConsentLine is running at {url}")
    typer.echo(f"  Start here        : {base}/try  (Try it: two phones, in the portal)")
    typer.echo(f"  Demo organization : Acme Wealth (id {demo.org_id}), with West Region")
    typer.echo(f"  Lines             : {line} ({employee}), {demo.lines[1][0]}")
    typer.echo(f"  Portal login      : {demo.email} / {demo.password}")
    typer.echo(f"  API key           : {demo.api_key}")
    typer.echo("  Try it            : a contact texts the line, and is asked to opt in:")
    typer.echo(
        f"    curl -s -X POST {base}/api/v1/messages/inbound "
        f"-H 'Authorization: Bearer {demo.api_key}' -H 'Content-Type: application/json' "
        f'-d \'{{"from": "{demo.contact}", "line": "{line}", "body": "Hi Dana"}}\''
    )


@app.command()
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
    engine = make_engine(config.database_url)
    migrate(engine)
    engine.dispose()
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
def bootstrap(
    database_url: DatabaseUrl = None,
    email: Annotated[str | None, typer.Option(help="Also create an operator login.")] = None,
    password: Annotated[str | None, typer.Option(help="Password of that login.")] = None,
) -> None:
    """Create the operator and print its API key as one JSON line."""
    if (email is None) != (password is None):
        raise typer.BadParameter("give --email and --password together")
    config = _config(database_url)
    engine = make_engine(config.database_url)
    migrate(engine)

    with UnitOfWork(engine) as uow:
        now = utc_now()
        try:
            if email is not None and password is not None:
                org_service.add_user(
                    uow, None, email, "Operator", password, [], now, is_operator=True
                )
            key = org_service.create_operator_key(uow, "operator", now)
        except DomainError as error:
            typer.echo(f"error: {error.message}", err=True)
            raise typer.Exit(2) from None
        uow.commit()
    typer.echo(json.dumps({"operator_api_key": key}))


@app.command()
def demo(database_url: DatabaseUrl = None) -> None:
    """Create the demo organization (once) and print a fresh API key for it."""
    _print_demo(_seed_demo(_config(database_url)), None)


@app.command()
def worker(database_url: DatabaseUrl = None) -> None:
    """Run the outbox worker as its own process (with CONSENTLINE_RUN_WORKER=false on the
    servers, or beside them: workers lease items, so several may run at once)."""
    import logging.config
    import signal

    from consentline.app import outbox_worker

    config = _config(database_url)
    logging.config.dictConfig(logging_config(config.log_format))
    engine = make_engine(config.database_url)
    migrate(engine)
    running = outbox_worker(engine, config)
    signal.signal(signal.SIGTERM, lambda *_: running.stop())
    typer.echo("ConsentLine outbox worker running", err=True)
    try:
        running.run()
    except KeyboardInterrupt:
        pass
    finally:
        engine.dispose()
