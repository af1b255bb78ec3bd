"""What every command shares: which database it opens, and failures as one line.

Every command but ``serve``, ``bootstrap`` and ``demo`` refuses a SQLite file that does not
exist (opening one would create it, empty, and e.g. ``archive verify`` would then report an
intact archive of nothing). A known failure is one line on stderr and exit status 2; only
a bug shows a traceback.
"""

from __future__ import annotations

import functools
import getpass
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, ParamSpec, TypeVar

import typer
from pydantic import ValidationError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from sqlalchemy import Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from consentline.config import Config
from consentline.domain.errors import DomainError
from consentline.service.access import Principal
from consentline.store.db import make_engine, migrate

FAILED = 2


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container)
        return "unknown"


CLI = Principal(f"cli:{_os_user()}", None, frozenset(), is_operator=True)
"""Who a command acts as: the operator, named after the account that ran it (audit log)."""
SOURCE = "cli"


class CommandFailed(Exception):
    """A failure the command explains in one line."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def config_for(database_url: str | None) -> Config:
    try:
        return Config(database_url=database_url) if database_url else Config()
    except ValidationError as error:
        first = error.errors()[0]
        raise CommandFailed(str(first.get("msg", error)).removeprefix("Value error, ")) from None


def sqlite_file(url: str) -> Path | None:
    """The file a SQLite URL names (None for other databases and in-memory ones)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def open_database(database_url: str | None, *, may_create: bool = False) -> Engine:
    """An engine on the configured database, migrated; a missing SQLite file is refused
    unless ``may_create``."""
    config = config_for(database_url)
    url = config.database_url
    path = sqlite_file(url)
    if path is not None and not may_create and not path.is_file():
        raise CommandFailed(
            f"no database at {path.resolve()}: give --database-url (or set "
            "CONSENTLINE_DATABASE_URL) to an existing database; 'consentline bootstrap' "
            "creates a new one"
        )
    engine = make_engine(
        url,
        connect_timeout=config.database_connect_timeout,
        statement_timeout=config.database_statement_timeout,
    )
    try:
        migrate(engine)
    except BaseException:
        engine.dispose()
        raise
    return engine


DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="SQLAlchemy URL of an existing database; default $CONSENTLINE_DATABASE_URL "
        "or sqlite:///consentline.db.",
    ),
]


def engine_for(database_url: str | None) -> Engine:
    """The database a command works on: it must exist already (a SQLite file is never made)."""
    return open_database(database_url)


def writable_output(output: Path) -> None:
    """Refuse, before any work, an output file that cannot be written."""
    folder = output.parent if str(output.parent) else Path(".")
    if not folder.is_dir():
        raise CommandFailed(f"cannot write {output}: the folder {folder} does not exist")
    if output.is_dir():
        raise CommandFailed(f"cannot write {output}: it is a folder")


P = ParamSpec("P")
R = TypeVar("R")


def one_line_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Known failures become ``error: ...`` on stderr and exit status 2."""

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except CommandFailed as error:
            message = error.message
        except DomainError as error:
            message = error.message
        except (ArgumentError, NoSuchModuleError) as error:
            message = f"the database URL is not valid: {_first_line(error)}"
        except DBAPIError as error:
            message = f"the database cannot be used: {_first_line(error.orig or error)}"
        except OSError as error:
            where = f": {error.filename}" if error.filename else ""
            message = f"{error.strerror or error}{where}"
        typer.echo(f"error: {message}", err=True)
        raise typer.Exit(FAILED)

    return run


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def progress_bar(label: str, *, quiet: bool) -> Progress:
    """The bar long commands show on the terminal (gone when done; none with --quiet)."""
    return Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        disable=quiet,
        transient=True,
    )
