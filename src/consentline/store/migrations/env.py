"""Alembic environment: runs on the connection the caller hands in, or on the URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from consentline.store.db import make_engine
from consentline.store.schema import metadata
from consentline.store.search_tables import include_name


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        include_name=include_name,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


given = context.config.attributes.get("connection")
if given is not None:
    _run(given)
else:
    with make_engine(context.config.get_main_option("sqlalchemy.url") or "").begin() as conn:
        _run(conn)
