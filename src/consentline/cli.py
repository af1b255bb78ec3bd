"""The ``consentline`` command: serve, bootstrap, demo."""

from __future__ import annotations

import copy
import json
from typing import Annotated

import typer

from consentline.app import build_app, utc_now
from consentline.config import Config
from consentline.domain.errors import DomainError
from consentline.log_redaction import PhoneNumberRedactor
from consentline.service import orgs as org_service
from consentline.service.demo import Demo, seed_demo
from consentline.service.unit_of_work import UnitOfWork
from consentline.store.db import make_engine, migrate

app = typer.Typer(help="ConsentLine: an opt-in policy gateway for business texting.")

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
    if url:
        typer.echo(f"ConsentLine is running at {url}")
    typer.echo(f"  Demo organization : Acme Wealth (id {demo.org_id}), with West Region")
    typer.echo(f"  Lines             : {line} ({employee}), {demo.lines[1][0]}")
    typer.echo(f"  Portal login      : {demo.email} / {demo.password}")
    typer.echo(f"  API key           : {demo.api_key}")
    base = url or "http://127.0.0.1:8000"
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
) -> None:
    """Run the gateway (migrating the database first) with its outbox worker."""
    import uvicorn

    config = _config(database_url)
    url = f"http://{host}:{port}"
    if demo:
        _print_demo(_seed_demo(config), url)
    else:
        typer.echo(f"ConsentLine is running at {url}")
    log_config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    for handler in log_config["handlers"].values():
        handler.setdefault("filters", []).append("redact_phone_numbers")
    log_config["filters"] = {"redact_phone_numbers": {"()": PhoneNumberRedactor}}
    uvicorn.run(build_app(config), host=host, port=port, log_config=log_config)


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
