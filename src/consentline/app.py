"""The FastAPI application: API routes, pages, and the outbox worker's lifetime."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from fastapi import Depends, FastAPI
from sqlalchemy import Engine

from consentline.api import docs, errors
from consentline.api.admission import AdmissionMiddleware
from consentline.api.input_checks import storable_request
from consentline.api.middleware import RequestContextMiddleware
from consentline.api.routes import (
    access,
    audit,
    consents,
    messages,
    operations,
    orgs,
    providers,
    reports,
    search,
    sign_in,
    simulator,
    webhooks,
)
from consentline.config import Config
from consentline.portal import install as portal
from consentline.providers.router import Carriers
from consentline.service.expiry import expire_overdue
from consentline.service.outbox_worker import OutboxWorker
from consentline.service.unit_of_work import UnitsOfWork
from consentline.store.db import make_engine, migrate

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def default_providers(config: Config | None = None, clock: Clock = utc_now) -> Carriers:
    """Each organization's carriers as its settings say; the simulator by default."""
    config = config or Config()
    return Carriers(
        public_url=config.public_url,
        twilio_api_base=config.twilio_api_base,
        graph_api_base=config.graph_api_base,
        graph_api_version=config.graph_api_version,
        timeout=config.carrier_timeout,
        clock=clock,
    )


def outbox_worker(engine: Engine, config: Config, clock: Clock = utc_now) -> OutboxWorker:
    """The outbox worker as ``serve`` (in-process) and ``consentline worker`` run it."""
    return OutboxWorker(
        engine,
        default_providers(config, clock),
        clock,
        interval=config.outbox_interval,
        housekeeping=lambda: expire_overdue(UnitsOfWork(engine, source="expiry"), clock),
        max_attempts=config.outbox_max_attempts,
        lease_seconds=config.outbox_lease_seconds,
        batch=config.outbox_batch,
    )


def engine_for(config: Config) -> Engine:
    """The engine of the server and the worker, with the configured timeouts."""
    return make_engine(
        config.database_url,
        connect_timeout=config.database_connect_timeout,
        statement_timeout=config.database_statement_timeout,
    )


def create_app(
    config: Config,
    *,
    engine: Engine | None = None,
    clock: Clock = utc_now,
    run_worker: bool | None = None,
) -> FastAPI:
    """The application on an engine whose schema is current (see ``build_app``)."""
    engine = engine or engine_for(config)
    with_worker = config.run_worker if run_worker is None else run_worker

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        worker = None
        if with_worker:
            worker = outbox_worker(engine, config, clock)
            app.state.wake_outbox = worker.wake
            worker.start()
        try:
            yield
        finally:
            if worker is not None:
                worker.stop()

    app = FastAPI(
        title="ConsentLine",
        version="1",
        summary="Opt-in policy gateway for business texting over SMS and WhatsApp.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        dependencies=[Depends(storable_request)],
    )
    app.state.engine = engine
    app.state.clock = clock
    app.state.config = config
    errors.install(app)
    app.add_middleware(
        AdmissionMiddleware,
        limit=config.max_concurrent_requests,
        queue_timeout=config.queue_timeout,
    )
    app.add_middleware(
        RequestContextMiddleware,
        max_body_bytes=config.max_body_bytes,
        hsts=config.environment == "production",
        max_upload_bytes=config.max_upload_bytes,
    )

    docs.install(app)
    app.include_router(operations.router)
    app.include_router(orgs.router)
    app.include_router(audit.router)
    app.include_router(access.router)
    app.include_router(consents.router)
    app.include_router(messages.router)
    app.include_router(search.router)
    app.include_router(reports.router)
    app.include_router(simulator.router)
    app.include_router(providers.router)
    app.include_router(sign_in.router)
    app.include_router(webhooks.router)
    portal.install(app, config)
    return app


def build_app(config: Config) -> FastAPI:
    """Engine, migrations, application: what ``consentline serve`` runs."""
    engine = engine_for(config)
    migrate(engine)
    return create_app(config, engine=engine)


def app_from_environment() -> FastAPI:
    """One of several server processes: configured from the environment, already migrated."""
    return create_app(Config())
